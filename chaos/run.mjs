// The fault suite: each scenario drives the built receiver and workers as separate processes
// against a fresh local SQS server, counts every event by id, and ends with one line.
//
//   node chaos/run.mjs                  every scenario (npm run chaos)
//   node chaos/run.mjs --ci             the ones that take under a minute each (the CI target)
//   node chaos/run.mjs sqs-freeze ...   the named ones
//
// Exit code 0 when every scenario passed, 1 otherwise. Needs the apps built
// (NX_DAEMON=false npx nx run-many -t build -p receiver dlq-worker).
import { parseArgs } from 'node:util';
import { snapshotBundles } from './harness/apps.mjs';
import { keepLogsIn, runningChildren, stopAll, stopChildrenOnExit } from './harness/children.mjs';
import { describeMachine } from './harness/machine.mjs';
import { Pipeline } from './lib/pipeline.mjs';
import badRequests from './scenarios/bad-requests.mjs';
import downstreamOutage from './scenarios/downstream-outage.mjs';
import rollingRestart from './scenarios/rolling-restart.mjs';
import sqsFreeze from './scenarios/sqs-freeze.mjs';
import workerKills from './scenarios/worker-kills.mjs';

/** In the order the issue lists them; `ci` marks those under a minute each here. */
const SCENARIOS = [
  { ...sqsFreeze, ci: true },
  { ...downstreamOutage, ci: true },
  { ...workerKills, ci: true },
  { ...rollingRestart, ci: true },
  { ...badRequests, ci: true },
];

const { values, positionals } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    // Prints the last lines of every process after each scenario, passed or not.
    verbose: { type: 'boolean', default: false },
    // Writes every process's whole output to a file in this folder.
    logs: { type: 'string' },
  },
  allowPositionals: true,
});

const unknown = positionals.filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}
const chosen = SCENARIOS.filter(
  (scenario) =>
    (positionals.length === 0 || positionals.includes(scenario.name)) &&
    (!values.ci || scenario.ci),
);

stopChildrenOnExit();
if (values.logs) keepLogsIn(values.logs);
const bundles = await snapshotBundles();
const machine = describeMachine();
process.stdout.write(`chaos: ${machine.summary}\n`);

const lines = [];
let failed = 0;
for (const scenario of chosen) {
  const result = await runScenario(scenario);
  lines.push(result.line);
  if (!result.passed) failed += 1;
}

process.stdout.write(`\n${lines.join('\n')}\n`);
const leftOver = runningChildren();
if (leftOver.length > 0) {
  process.stdout.write(`processes still running: ${leftOver.map((c) => c.name).join(', ')}\n`);
  failed += 1;
}
process.exit(failed === 0 ? 0 : 1);

async function runScenario(scenario) {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const log = (message) => process.stdout.write(`[${scenario.name} ${elapsed()}] ${message}\n`);
  const pipelines = [];
  const startPipeline = async (options) => {
    const pipeline = await Pipeline.start({ bundles, ...options });
    pipelines.push(pipeline);
    return pipeline;
  };

  log(scenario.title);
  let outcome;
  let error;
  try {
    outcome = await scenario.run({ startPipeline, log });
    const receiver = pipelines[0]?.receiver?.child;
    if (receiver) outcome.checks.push({ ok: receiver.alive, what: 'the receiver stayed up' });
  } catch (caught) {
    error = caught;
  }

  const children = pipelines.flatMap((pipeline) => pipeline.children());
  await Promise.all(pipelines.map((pipeline) => pipeline.stop()));
  // Anything the scenario started outside a pipeline, or that did not stop in time.
  await stopAll();
  const counts = outcome?.counts;
  if (counts && pipelines[0]) counts.workerOutcomes = pipelines[0].workerOutcomes;
  const checks = [...(counts ? standardChecks(counts) : []), ...(outcome?.checks ?? [])];
  const failures = checks.filter((check) => !check.ok);
  const passed = !error && failures.length === 0;

  const line = formatLine(scenario.name, counts, passed, elapsed());
  log(line);
  if (!passed) {
    if (error) process.stdout.write(`  error: ${error.stack ?? error}\n`);
    for (const check of failures) process.stdout.write(`  failed: ${check.what}\n`);
    if (counts) process.stdout.write(`  detail: ${JSON.stringify(detailOf(counts))}\n`);
    for (const child of children) process.stdout.write(`${child.describe()}\n`);
  } else if (counts) {
    log(`detail: ${JSON.stringify(detailOf(counts))}`);
    if (values.verbose) for (const child of children) process.stdout.write(`${child.describe()}\n`);
  }
  return { line, passed };
}

/** What every scenario must show, whatever else it checks. */
function standardChecks(counts) {
  return [
    {
      ok: counts.lost === 0,
      what: `no acknowledged event lost (lost: ${counts.lostIds.slice(0, 5)})`,
    },
    {
      ok: counts.unacknowledged.length === 0,
      what: `every event acknowledged in the end (not: ${counts.unacknowledged.slice(0, 5)})`,
    },
    {
      ok: counts.refused.length === 0,
      what: `no good event refused with a 4xx (${JSON.stringify(counts.refused.slice(0, 5))})`,
    },
    {
      ok: counts.stillOnDlq === 0,
      what: `the DLQ emptied in the time given (${counts.stillOnDlq} messages left)`,
    },
    {
      ok: counts.strangers.length === 0,
      what: `the downstream saw only events that were sent (${counts.strangers.slice(0, 5)})`,
    },
  ];
}

function formatLine(name, counts, passed, took) {
  const verdict = passed ? 'PASS' : 'FAIL';
  if (!counts) return `${name.padEnd(18)} ${verdict} (no counts: the scenario broke off) ${took}`;
  const fields = [
    `sent ${counts.sent}`,
    `acknowledged ${counts.acknowledged}`,
    `delivered ${counts.delivered}`,
    `parked ${counts.parked}`,
    `lost ${counts.lost}`,
    `duplicate calls ${counts.duplicateCalls}`,
  ];
  return `${name.padEnd(18)} ${fields.join(', ')}  ${verdict}  ${took}`;
}

function detailOf(counts) {
  const { answers, tries, stillOnDlq, parkedReasons, workerOutcomes } = counts;
  return { answers, tries, stillOnDlq, parkedReasons, workerOutcomes, ...(counts.extra ?? {}) };
}
