import { sendText, type Handler, type HttpDeps } from './types.js';

/** GET /metrics: the exporter's own registry (never the global default one). */
export function metricsHandler(deps: HttpDeps): Handler {
  return async (_req, res) => {
    const registry = deps.metrics.registry;
    try {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch (err) {
      sendText(res, 500, `collecting the exporter's metrics failed: ${(err as Error).message}`);
    }
  };
}
