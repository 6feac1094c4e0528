// A stand-in for the business system, for `npm start` and `npm run demo`. Never used in
// production.
//
//   node tools/sample-downstream/server.mjs [--port 0] [--exit-with-stdin]
//
// Binds 127.0.0.1 only and prints one JSON line {"url": ".../events"} once it listens.
//
//   POST /events                  an event: 200, or 503 while failing
//   POST /control/fail?seconds=N  answer 503 for N seconds (no N: until recovered)
//   POST /control/recover         answer 200 again
//   GET  /control/stats           what was called, per Idempotency-Key
//
// Bodies hold personal data: they are read and dropped, never logged or kept. Each call is
// logged as one JSON line with its key, attempt and answer.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

/** `undefined` while healthy; a time in ms, or Infinity for "until recovered", while failing. */
let failingUntil;
let calls = 0;
/** Idempotency-Key → { calls, attempts: [{ attempt, status, at }] } */
const byEventId = new Map();

function isFailing() {
  return failingUntil !== undefined && Date.now() < failingUntil;
}

function recordCall(req, status) {
  calls += 1;
  const eventId = req.headers['idempotency-key'];
  const header = req.headers['x-dlq-attempt'];
  const attempt = header === undefined || Number.isNaN(Number(header)) ? null : Number(header);
  const at = new Date().toISOString();

  if (typeof eventId === 'string' && eventId !== '') {
    const entry = byEventId.get(eventId) ?? { calls: 0, attempts: [] };
    entry.calls += 1;
    entry.attempts.push({ attempt, status, at });
    byEventId.set(eventId, entry);
  }
  log('call', { event_id: eventId ?? null, attempt, status_code: status });
}

function stats() {
  return {
    calls,
    uniqueEvents: byEventId.size,
    byEventId: Object.fromEntries(byEventId),
    failing: isFailing(),
    failingUntil: !isFailing()
      ? null
      : failingUntil === Infinity
        ? 'recover'
        : new Date(failingUntil).toISOString(),
  };
}

function log(message, fields = {}) {
  const line = { time: new Date().toISOString(), service: 'sample-downstream', message, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handleEvent(req, res) {
  const status = isFailing() ? 503 : 200;
  recordCall(req, status);
  if (status === 200) answer(res, 200, { status: 'accepted' });
  else answer(res, 503, { error: 'unavailable', message: 'The sample downstream is failing.' });
}

function handleFail(res, query) {
  const text = query.get('seconds');
  if (text === null || text === '') {
    failingUntil = Infinity;
    log('failing until recovered');
    return answer(res, 200, stats());
  }

  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    return answer(res, 400, {
      error: 'bad_seconds',
      message: 'seconds must be a number, 0 or more; leave it out to fail until recovered.',
    });
  }
  failingUntil = Date.now() + seconds * 1000;
  log('failing', { seconds });
  return answer(res, 200, stats());
}

function route(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const key = `${req.method} ${url.pathname}`;

  if (key === 'POST /events') return handleEvent(req, res);
  if (key === 'POST /control/fail') return handleFail(res, url.searchParams);
  if (key === 'POST /control/recover') {
    failingUntil = undefined;
    log('recovered');
    return answer(res, 200, stats());
  }
  if (key === 'GET /control/stats') return answer(res, 200, stats());
  if (key === 'GET /healthz') return answer(res, 200, { status: 'ok' });
  return answer(res, 404, { error: 'not_found', message: 'POST events to /events.' });
}

const server = createServer((req, res) => {
  // Read the whole body before answering, so the caller sees a clean exchange; keep none of it.
  req.on('data', () => undefined);
  req.on('end', () => route(req, res));
  req.on('error', () => res.destroy());
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/events` })}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`sample downstream could not listen: ${error.message}\n`);
  process.exit(1);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (values['exit-with-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
