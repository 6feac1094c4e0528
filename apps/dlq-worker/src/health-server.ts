import { createServer, type Server } from 'node:http';
import type { WorkerStatus } from './worker';

/**
 * `/healthz`: the process is alive and its poll loop has not stopped.
 * `/readyz`: both queues are resolved and the loop is running.
 */
export function createHealthServer(status: () => WorkerStatus & { queuesResolved: boolean }): Server {
  return createServer((req, res) => {
    const current = status();
    const detail = {
      queues_resolved: current.queuesResolved,
      running: current.running,
      in_flight: current.inFlight,
      handled: current.handled,
      last_receive_error: current.lastReceiveError ?? null,
    };

    let healthy: boolean;
    if (req.url === '/healthz') healthy = current.running || !current.queuesResolved;
    else if (req.url === '/readyz') healthy = current.running && current.queuesResolved;
    else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', message: 'Try /healthz or /readyz.' }));
      return;
    }

    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', ...detail }));
  });
}
