import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { WorkerStatus } from './worker';

export type HealthStatus = Partial<WorkerStatus> & { queuesResolved: boolean };

/**
 * `/healthz`: alive (the poll loop has not stopped, or it has not started yet).
 * `/readyz`: both queues resolved and the loop running; an open breaker stays ready, since
 * the worker is doing what it should. `/metrics`: Prometheus text.
 */
export function createHealthServer(status: () => HealthStatus, registry: Registry): Server {
  return createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }

    const current = status();
    let healthy: boolean;
    if (req.url === '/healthz') healthy = current.running === true || !current.queuesResolved;
    else if (req.url === '/readyz') healthy = current.running === true && current.queuesResolved;
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: 'not_found', message: 'Try /healthz, /readyz or /metrics.' }),
      );
      return;
    }

    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: healthy ? 'ok' : 'unavailable',
        queues_resolved: current.queuesResolved,
        running: current.running ?? false,
        in_flight: current.inFlight ?? 0,
        handled: current.handled ?? 0,
        breaker: current.breaker ?? 'closed',
        last_receive_error: current.lastReceiveError ?? null,
      }),
    );
  });
}
