// The benchmarks (npm run bench): each figure measured next to a baseline in the same run on
// the same machine, and reported with their ratio. Absolute figures drift by a third between
// runs on a shared 2-core machine; the ratios are what to compare.
//
//   node bench/run.mjs [--passes 3] [--seconds 10] [--events 3000] [--only receiver,drain,startup]
//                      [--out FILE] [--logs DIR]
//
// Prints the Markdown tables of bench/RESULTS.md (and writes them to FILE with --out). Needs the
// apps built (NX_DAEMON=false npx nx run-many -t build -p receiver dlq-worker).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchDrain } from './drain.mjs';
import {
  createClient,
  describeMachine,
  keepLogsIn,
  loadNow,
  runningChildren,
  snapshotBundles,
  startSqsServer,
  stopAll,
  stopChildrenOnExit,
} from './harness.mjs';
import { benchReceiver } from './receiver.mjs';
import { formatReport } from './report.mjs';
import { benchStartup } from './startup.mjs';

const PARTS = ['receiver', 'drain', 'startup'];

const { values } = parseArgs({
  options: {
    passes: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    events: { type: 'string', default: '3000' },
    only: { type: 'string', default: PARTS.join(',') },
    out: { type: 'string' },
    logs: { type: 'string' },
  },
});
const passes = positiveInteger('passes');
const seconds = positiveInteger('seconds');
const events = positiveInteger('events');
const parts = values.only.split(',');
const unknown = parts.filter((part) => !PARTS.includes(part));
if (unknown.length > 0) fail(`--only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);

stopChildrenOnExit();
if (values.logs) keepLogsIn(values.logs);
const started = performance.now();
const log = (message) => {
  const at = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${at} s, load ${loadNow()}] ${message}\n`);
};

const bundles = await snapshotBundles();
const machine = describeMachine();
log(machine.summary);

let exitCode = 0;
try {
  const server = await startSqsServer();
  const sqs = { endpoint: server.endpoint, client: createClient(server.endpoint) };
  const results = { machine, passes, command: commandLine() };
  if (parts.includes('receiver'))
    results.receiver = await benchReceiver({ bundles, sqs, seconds, passes, log });
  if (parts.includes('drain'))
    results.drain = await benchDrain({ bundles, sqs, events, passes, log });
  if (parts.includes('startup'))
    results.startup = await benchStartup({ bundles, sqs, times: Math.max(3, passes) });
  results.loadAtEnd = loadNow();

  const report = formatReport(results);
  process.stdout.write(`${report}\n`);
  if (values.out) {
    writeFileSync(values.out, `${report}\n`);
    writeFileSync(`${values.out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  exitCode = 1;
} finally {
  await stopAll();
}
const leftOver = runningChildren();
if (leftOver.length > 0) {
  process.stderr.write(`processes still running: ${leftOver.map((c) => c.name).join(', ')}\n`);
  exitCode = 1;
}
log('done');
process.exit(exitCode);

function positiveInteger(name) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} takes a whole number of 1 or more`);
  return value;
}

function commandLine() {
  // Where the output went is not part of how it was made (and names this machine's folders).
  const args = process.argv.slice(2);
  const kept = args.filter(
    (arg, n) => !['--out', '--logs'].includes(arg) && !['--out', '--logs'].includes(args[n - 1]),
  );
  return ['npm run bench', ...(kept.length > 0 ? ['--', ...kept] : [])].join(' ');
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
