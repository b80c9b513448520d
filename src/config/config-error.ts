/**
 * A configuration file that cannot be used. The message starts with
 * `file:line:column:` (as compilers do) so editors and people can jump to it,
 * and never quotes a secret value: only keys, field names and types.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly file: string;
  readonly line?: number;
  readonly column?: number;

  constructor(file: string, what: string, position?: { line: number; column: number }) {
    super(position ? `${file}:${position.line}:${position.column}: ${what}` : `${file}: ${what}`);
    this.name = 'ConfigError';
    this.file = file;
    if (position) {
      this.line = position.line;
      this.column = position.column;
    }
  }
}
