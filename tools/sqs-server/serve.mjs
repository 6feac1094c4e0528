// A local SQS-compatible server (fauxqs) for `npm start` and the tests. Never used in production.
//
//   node tools/sqs-server/serve.mjs [--port 9324] [--exit-with-stdin]
//
// Binds 127.0.0.1 only. Prints one JSON line {"endpoint": "..."} once it listens.
// With --exit-with-stdin it stops when its parent closes our stdin, so a crashed parent
// never leaves it behind. Messages live in memory and are gone when it stops.
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const { buildApp } = await import('fauxqs');
const app = buildApp({ logger: false });
await app.listen({ port: Number(values.port), host: '127.0.0.1' });
const { port } = app.server.address();
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}` })}\n`);

async function stop() {
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
