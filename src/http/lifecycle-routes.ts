import type { IncomingMessage } from 'node:http';
import { sendText, type Handler, type HttpDeps, type ReloadedFile } from './types.js';

/** A reload takes no body; a client may still send a small one (ignored). Larger is refused. */
export const RELOAD_BODY_LIMIT = 64 * 1024;

/** GET /-/healthy: the process runs and serves HTTP. */
export const healthyHandler: Handler = (_req, res) => sendText(res, 200, 'Healthy');

/** GET /-/ready: listening with secrets loaded. */
export function readyHandler(deps: HttpDeps): Handler {
  return (_req, res) => (deps.isReady() ? sendText(res, 200, 'Ready') : sendText(res, 503, 'Not ready'));
}

/**
 * POST /-/reload: re-read the secrets file and the modules file (those the
 * exporter runs with); 200 names what was reloaded, a bad file keeps its
 * previous content and answers 500 naming it, with the reason. Only a
 * well-formed request reloads: the body (ignored) is read to its end first,
 * so a broken or truncated one
 * (Node answers a malformed chunked body 400 itself) or one over
 * RELOAD_BODY_LIMIT reloads nothing. Turned off by --web.disable-reload
 * (403; SIGHUP still reloads). Behind the same TLS/basic auth as every route.
 */
export function reloadHandler(deps: HttpDeps): Handler {
  return async (req, res) => {
    if (deps.reloadDisabled) return sendText(res, 403, 'reload over HTTP is turned off (--web.disable-reload); send SIGHUP to reload');
    const body = await readToEnd(req, RELOAD_BODY_LIMIT);
    if (body === 'too-large') {
      sendText(res, 413, `a reload takes no body; refusing one over ${RELOAD_BODY_LIMIT} bytes; nothing was reloaded`, { Connection: 'close' });
      return;
    }
    if (body === 'broken') {
      deps.logger.warn({}, 'reload request with a broken body; nothing was reloaded');
      if (!res.destroyed) sendText(res, 400, 'malformed request body; nothing was reloaded', { Connection: 'close' });
      return;
    }
    const result = await deps.reload();
    if (result.ok) sendText(res, 200, result.reloaded.length ? `${fileList(result.reloaded)} reloaded` : 'nothing to reload: no secrets or modules file');
    else {
      const alsoDone = result.reloaded.length ? ` (${fileList(result.reloaded)} reloaded)` : '';
      sendText(res, 500, `reload failed, keeping the previous ${fileList(result.failed)}: ${result.error}${alsoDone}`);
    }
  };
}

/** 'secrets', 'modules' or 'secrets and modules': the files a reload answer speaks of. */
function fileList(files: readonly ReloadedFile[]): string {
  return files.join(' and ');
}

/** Read and discard a request body: 'ok' once it ended cleanly, 'broken' if the client or the parser cut it off. */
function readToEnd(req: IncomingMessage, limit: number): Promise<'ok' | 'broken' | 'too-large'> {
  if (req.complete) return Promise.resolve('ok');
  return new Promise((resolve) => {
    let size = 0;
    let settled = false;
    const settle = (r: 'ok' | 'broken' | 'too-large') => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settle('too-large');
        req.resume();
      }
    };
    req.on('data', onData);
    req.once('end', () => settle('ok'));
    req.once('error', () => settle('broken'));
    req.once('close', () => settle(req.complete ? 'ok' : 'broken'));
  });
}
