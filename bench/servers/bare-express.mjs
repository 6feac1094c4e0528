// The ceiling of the receiver benchmarks: an Express 5 app on the same machine that reads the
// body with the same parser the receiver uses and answers 200, doing nothing else.
//
//   [PORT=n] node bench/servers/bare-express.mjs   prints {"url": "http://127.0.0.1:<port>"}
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post(
  ['/webhooks/genesys', '/webhooks/genesys/:topic'],
  express.raw({ type: () => true, limit: 1_048_576 }),
  (_req, res) => {
    res.status(200).json({ status: 'delivered' });
  },
);

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
server.keepAliveTimeout = 65_000;

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
