// One load run with autocannon, every request a distinct Genesys event, and what it came to.
import autocannon from 'autocannon';
import { CALLER_HEADERS, eventFactory } from './harness.mjs';

let runs = 0;

/**
 * Loads `origin + path` for `seconds` (or `amount` requests) with `connections` keep-alive
 * connections, at `rate` requests per second overall or as fast as answers come (no rate:
 * saturation). Resolves with requests/s answered, p50 and p99 latency of the 2xx answers in
 * ms, and the answers by status.
 */
export async function loadRun({ origin, path, seconds, amount, connections, rate }) {
  runs += 1;
  const makeEvent = eventFactory(`bench-${process.pid}-${runs}`);
  let sent = 0;
  const instance = autocannon({
    url: origin,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        path,
        // The key the run's receivers accept; the baselines ignore it.
        headers: { 'content-type': 'application/json', ...CALLER_HEADERS },
        setupRequest: (request) => {
          sent += 1;
          return { ...request, body: makeEvent(sent).body };
        },
      },
    ],
  });
  // autocannon's own percentiles have a resolution of 1 ms; its per-response event carries
  // the time to a fraction of one, which matters on a local network.
  const latenciesMs = [];
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latenciesMs.push(ms);
  });
  const result = await instance;

  latenciesMs.sort((a, b) => a - b);
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
