import type { Handler, HttpDeps } from './types.js';

/**
 * GET /discover: Prometheus HTTP service discovery (http_sd_configs). The
 * body is always the whole list, `[]` when there is none: Prometheus replaces
 * its targets with each answer, and an error answer would make it keep a
 * stale list. It is built from the secrets in force at the time of the
 * request, so it follows every reload.
 */
export function discoverHandler(deps: HttpDeps): Handler {
  return (_req, res) => {
    const body = JSON.stringify(deps.discovery());
    // Prometheus refuses an http_sd answer whose Content-Type is not application/json.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(body);
  };
}
