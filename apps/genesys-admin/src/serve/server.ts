import express from 'express';
import type { StatusMonitor } from './monitor';

/** `/healthz` (alive), `/status` (JSON of the newest run), `/metrics` (Prometheus). */
export function createServeApp(monitor: StatusMonitor): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    // Alive is all this says: failing checks are what /status and /metrics report.
    res.json({ status: 'ok', checked_at: monitor.snapshot().checked_at });
  });

  app.get('/status', (_req, res) => {
    res.json(monitor.snapshot());
  });

  app.get('/metrics', async (_req, res) => {
    res.set('content-type', monitor.registry.contentType);
    res.send(await monitor.registry.metrics());
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'Try /healthz, /status or /metrics.' });
  });
  return app;
}
