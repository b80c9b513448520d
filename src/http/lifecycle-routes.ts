import { sendText, type Handler, type HttpDeps } from './types.js';

/** GET /-/healthy: the process runs and serves HTTP. */
export const healthyHandler: Handler = (_req, res) => sendText(res, 200, 'Healthy');

/** GET /-/ready: listening with secrets loaded. */
export function readyHandler(deps: HttpDeps): Handler {
  return (_req, res) => (deps.isReady() ? sendText(res, 200, 'Ready') : sendText(res, 503, 'Not ready'));
}

/** POST /-/reload: re-read the secrets file; a bad file keeps the old secrets and answers 500 with the reason. */
export function reloadHandler(deps: HttpDeps): Handler {
  return async (_req, res) => {
    const result = await deps.reload();
    if (result.ok) sendText(res, 200, 'secrets reloaded');
    else sendText(res, 500, `reload failed, keeping the previous secrets: ${result.error}`);
  };
}
