// The downstream of a bench or chaos run, in its own process: answers events as it is told and
// counts every call by Idempotency-Key. Bodies are read and dropped.
//
//   node chaos/harness/downstream-server.mjs      prints {"url": "http://127.0.0.1:<port>/events"}
//
//   POST /events          an event: 200, or the failure status while failing
//   PUT  /control/mode    {"failPercent": 0-100, "flapMs": n, "failStatus": 503, "delayMs": n}
//   GET  /control/summary totals and the time of the first and last call
//   GET  /control/counts  the totals and, per event id, [calls answered 2xx, calls failed]
//   POST /control/reset   forget every call
import { createServer } from 'node:http';

const HEALTHY = { failPercent: 0, flapMs: 0, failStatus: 503, delayMs: 0 };

let mode = { ...HEALTHY };
let modeSince = Date.now();
let counts = freshCounts();

function freshCounts() {
  return { calls: 0, ok: 0, failed: 0, firstCallAt: null, lastCallAt: null, byEvent: new Map() };
}

/**
 * Whether this call fails. `flapMs` alternates failing and healthy windows of that length,
 * starting with a failing one; otherwise `failPercent` of calls fail, spread evenly over the
 * calls (not at random), so a run is repeatable.
 */
function shouldFail() {
  if (mode.flapMs > 0) return Math.floor((Date.now() - modeSince) / mode.flapMs) % 2 === 0;
  const before = Math.floor((counts.calls * mode.failPercent) / 100);
  const after = Math.floor(((counts.calls + 1) * mode.failPercent) / 100);
  return after > before;
}

function handleEvent(req, res) {
  const failing = shouldFail();
  const now = Date.now();
  counts.calls += 1;
  counts.firstCallAt ??= now;
  counts.lastCallAt = now;

  const key = req.headers['idempotency-key'];
  if (typeof key === 'string') {
    const entry = counts.byEvent.get(key) ?? [0, 0];
    entry[failing ? 1 : 0] += 1;
    counts.byEvent.set(key, entry);
  }
  if (failing) counts.failed += 1;
  else counts.ok += 1;

  const status = failing ? mode.failStatus : 200;
  const answer = () => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(failing ? '{"error":"unavailable"}' : '{"status":"accepted"}');
  };
  if (mode.delayMs > 0) setTimeout(answer, mode.delayMs);
  else answer();
}

function summary() {
  let uniqueOk = 0;
  let duplicateOk = 0;
  for (const [ok] of counts.byEvent.values()) {
    if (ok > 0) uniqueOk += 1;
    if (ok > 1) duplicateOk += ok - 1;
  }
  const { calls, ok, failed, firstCallAt, lastCallAt } = counts;
  return { calls, ok, failed, uniqueOk, duplicateOk, firstCallAt, lastCallAt, mode };
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function route(req, res, body) {
  const key = `${req.method} ${req.url}`;
  if (key === 'POST /events') return handleEvent(req, res);
  if (key === 'GET /control/summary') return reply(res, 200, summary());
  if (key === 'GET /control/counts') {
    return reply(res, 200, { ...summary(), events: Object.fromEntries(counts.byEvent) });
  }
  if (key === 'PUT /control/mode') {
    mode = { ...HEALTHY, ...JSON.parse(body.toString('utf8') || '{}') };
    modeSince = Date.now();
    return reply(res, 200, { mode });
  }
  if (key === 'POST /control/reset') {
    counts = freshCounts();
    return reply(res, 200, summary());
  }
  return reply(res, 404, { error: 'not_found' });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => {
    if (req.url !== '/events') chunks.push(chunk);
  });
  req.on('end', () => route(req, res, Buffer.concat(chunks)));
});
server.keepAliveTimeout = 65_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/events` })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
