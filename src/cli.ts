#!/usr/bin/env node
import { Command } from 'commander';
import { probeCommand } from './probe/probe-command.js';
import { VERSION } from './version.js';

// Usage errors exit 2 (as the probe's exit codes document); --help and --version exit 0.
const exitOnUsage = (err: { exitCode: number }) => process.exit(err.exitCode === 0 ? 0 : 2);

const program = new Command('bmc-exporter')
  .description('Prometheus exporter for server BMCs, speaking IPMI (RMCP+/IPMI 2.0 and 1.5) natively')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride(exitOnUsage);
program.addCommand(probeCommand().showHelpAfterError().exitOverride(exitOnUsage));

await program.parseAsync(process.argv);
