// `npm start`: the whole pipeline on this machine, each part in its own process as in
// production. The root script builds the apps first; this file builds nothing.
//
//   SQS server   tools/sqs-server (in memory) unless SQS_ENDPOINT names one; it serves the
//                S3 bucket for large bodies too
//   downstream   tools/sample-downstream unless DOWNSTREAM_URL names the real one
//   receiver     dist/apps/receiver/main.js
//   dlq-worker   dist/apps/dlq-worker/main.js
//
// Ctrl+C stops the apps first, then what they depend on. A receiver or worker that dies on
// its own is started again after a short pause, as a Deployment would, so that the queued
// events survive it: the embedded SQS server holds them in memory only. An app dying more than
// RESTART_LIMIT times a minute, or the SQS server or the sample downstream dying at all, stops
// everything and the launcher exits 1.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { complain, Part, say } from './parts.mjs';
import { createClient, ensureQueues, LOCAL_CREDENTIALS, MAX_RECEIVE_COUNT } from './queues.mjs';
import { readLiveState, removeOwnState, STATE_FILE, writeState } from './state.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const READY_DEADLINE_MS = 30_000;
const STOP_GRACE_MS = 30_000;
const APPS = ['receiver', 'dlq-worker'];
/** Long enough for a crashed app's ports to be free again; short enough not to be noticed. */
const RESTART_PAUSE_MS = 1000;
/** Restarts of one app within RESTART_WINDOW_MS; one more crash means it cannot run here. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;

const env = process.env;
const settings = {
  dlqName: env.DLQ_QUEUE_NAME || 'genesys-webhook-dlq',
  parkingName: env.PARKING_QUEUE_NAME || 'genesys-webhook-parked',
  receiverPort: env.PORT || '8080',
  receiverHost: env.HOST || '127.0.0.1',
  healthPort: env.HEALTH_PORT || '8081',
  localSqsPort: env.LOCAL_SQS_PORT || '9324',
  region: env.AWS_REGION || 'us-east-1',
  payloadBucket: env.PAYLOAD_BUCKET || 'genesys-webhook-dlq-payloads',
};

const AUTH_VARIABLES = ['AUTH_API_KEYS', 'AUTH_BASIC_USERS', 'AUTH_HMAC_SECRETS', 'AUTH_DISABLED'];

/** Every part running, in start order; a restarted app takes the place of its dead self. */
const parts = [];
/** Per app: its environment and readiness URL, to start it again the same way. */
const appSpecs = new Map();
/** Per app: when it was restarted, for RESTART_LIMIT. */
const restartTimes = new Map();
let running = false;
let stopping;
let firstSignalAt = 0;

function addPart(part, replacing) {
  const index = replacing ? parts.indexOf(replacing) : -1;
  if (index >= 0) parts[index] = part;
  else parts.push(part);
  // Started while a Ctrl+C was already stopping the others: it goes at once.
  if (stopping) part.kill();
  part.exited.then(() => onUnexpectedExit(part));
  return part;
}

function onUnexpectedExit(part) {
  // While starting, main() reports a part that dies; once running, this does.
  if (!running || stopping) return;
  if (appSpecs.has(part.name)) {
    void restartApp(part);
    return;
  }
  const lost = part.name === 'sqs-server' ? '; the messages it held in memory are gone' : '';
  complain(`${part.name} ${part.describeExit()} unexpectedly${lost}; stopping the rest`);
  void shutdown(1);
}

/**
 * Starts a crashed app again after RESTART_PAUSE_MS. The SQS server and the downstream keep
 * running, so what the app had received but not deleted comes back to its new self once the
 * visibility timeout has passed.
 */
async function restartApp(dead) {
  const now = Date.now();
  const recent = (restartTimes.get(dead.name) ?? []).filter((at) => now - at < RESTART_WINDOW_MS);
  if (recent.length >= RESTART_LIMIT) {
    complain(
      `${dead.name} (pid ${dead.pid}) ${dead.describeExit()} unexpectedly, after ` +
        `${recent.length} restarts within ${RESTART_WINDOW_MS / 1000} s; giving up and ` +
        'stopping everything (what is still queued in memory is lost)',
    );
    void shutdown(1);
    return;
  }
  restartTimes.set(dead.name, [...recent, now]);
  complain(
    `${dead.name} (pid ${dead.pid}) ${dead.describeExit()} unexpectedly; starting it again ` +
      `in ${RESTART_PAUSE_MS / 1000} s (restart ${recent.length + 1} of at most ` +
      `${RESTART_LIMIT} within ${RESTART_WINDOW_MS / 1000} s); the other parts keep running`,
  );

  await pause(RESTART_PAUSE_MS);
  if (stopping) return;
  const fresh = startApp(dead.name, dead);
  const { readyUrl } = appSpecs.get(dead.name);
  try {
    await waitReady(fresh, readyUrl, Date.now() + READY_DEADLINE_MS, [fresh]);
  } catch (error) {
    // A fresh copy that dies is dealt with by its own exit; one that is slow to become ready
    // is only reported, as its own logs say why.
    if (fresh.running && !stopping) complain(error.message);
    return;
  }
  if (!stopping) say(`${dead.name} is running again (pid ${fresh.pid}) and ready`);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function shutdown(exitCode) {
  stopping ??= (async () => {
    const apps = parts.filter((part) => APPS.includes(part.name));
    const services = parts.filter((part) => !APPS.includes(part.name));
    await Promise.all(apps.map((part) => part.stop(STOP_GRACE_MS)));
    await Promise.all(services.map((part) => part.stop(STOP_GRACE_MS)));
    removeOwnState();
    if (parts.length > 0) say('every part has stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

function onSignal(signal) {
  if (!stopping) {
    firstSignalAt = Date.now();
    say(`${signal}: stopping every part (press Ctrl+C again to kill them at once)`);
    void shutdown(0);
    return;
  }
  // One keypress can arrive twice, from the terminal and from npm passing it on.
  if (Date.now() - firstSignalAt < 1000) return;
  complain('killing every part now');
  parts.forEach((part) => part.kill());
}

async function startSqs() {
  if (env.SQS_ENDPOINT) {
    say(
      `using the SQS server at ${new URL(env.SQS_ENDPOINT).origin} (SQS_ENDPOINT), with ` +
        'credentials from the AWS SDK default chain (AWS_ACCESS_KEY_ID, a profile, ...)',
    );
    return { endpoint: env.SQS_ENDPOINT, embedded: false, childEnv: {} };
  }

  const part = addPart(
    new Part('sqs-server', {
      script: join(ROOT, 'tools', 'sqs-server', 'serve.mjs'),
      args: ['--port', settings.localSqsPort, '--exit-with-stdin'],
      cwd: ROOT,
      env,
    }),
  );
  let endpoint;
  try {
    ({ endpoint } = await part.firstJsonLine(15_000));
  } catch (error) {
    throw new Error(
      `the local SQS server did not start (is port ${settings.localSqsPort} taken? ` +
        'set LOCAL_SQS_PORT, or SQS_ENDPOINT to use a server of your own)',
      { cause: error },
    );
  }
  say(`local SQS server (in memory) at ${endpoint}`);
  return {
    endpoint,
    embedded: true,
    // Only the local server accepts these; a user's own values win.
    childEnv: {
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID || 'local',
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY || 'local',
      AWS_REGION: settings.region,
    },
  };
}

async function startDownstream() {
  if (env.DOWNSTREAM_URL) {
    say(`delivering to ${new URL(env.DOWNSTREAM_URL).origin} (DOWNSTREAM_URL); no sample`);
    return { url: env.DOWNSTREAM_URL, sample: false };
  }

  const part = addPart(
    new Part('downstream', {
      script: join(ROOT, 'tools', 'sample-downstream', 'server.mjs'),
      args: ['--port', env.SAMPLE_DOWNSTREAM_PORT || '0', '--exit-with-stdin'],
      cwd: ROOT,
      env,
    }),
  );
  const { url } = await part.firstJsonLine(10_000);
  say(`sample downstream at ${url}`);
  return { url, sample: true, controlUrl: new URL('/control', url).href };
}

/**
 * The bucket for bodies too large for a queue message, on the embedded server (which also
 * speaks S3). With a server of the user's own, PAYLOAD_BUCKET and S3_ENDPOINT are theirs.
 */
async function ensurePayloadBucket(sqs) {
  if (!sqs.embedded) {
    if (!env.PAYLOAD_BUCKET) {
      say('no PAYLOAD_BUCKET: events too large for a queue message are refused');
    }
    return {};
  }
  const client = new S3Client({
    region: settings.region,
    endpoint: sqs.endpoint,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: settings.payloadBucket }));
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(error?.name)) {
      throw new Error(`could not create bucket ${settings.payloadBucket}`, { cause: error });
    }
  } finally {
    client.destroy();
  }
  say(`bucket ${settings.payloadBucket} ready for bodies too large for a queue message`);
  return { PAYLOAD_BUCKET: settings.payloadBucket, S3_ENDPOINT: sqs.endpoint };
}

/**
 * Caller authentication for the receiver. With none configured and the receiver on a
 * loopback address, it is switched off, and said so; anywhere else the receiver refuses to
 * start without it.
 */
function receiverAuth() {
  if (AUTH_VARIABLES.some((name) => env[name])) {
    say('receiver authentication as configured (AUTH_* variables)');
    return { enabled: true, env: {} };
  }
  if (!isLoopback(settings.receiverHost)) {
    complain(
      `the receiver listens on ${settings.receiverHost}: set AUTH_API_KEYS (or AUTH_BASIC_USERS, ` +
        'AUTH_HMAC_SECRETS) for it, or AUTH_DISABLED=true',
    );
    return { enabled: true, env: {} };
  }
  say(
    `auth is off: the receiver listens on ${settings.receiverHost} only and takes any POST ` +
      '(set AUTH_API_KEYS=<key> to try authentication)',
  );
  return { enabled: false, env: { AUTH_DISABLED: 'true' } };
}

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Starts the app `appSpecs` describes under `name`, in place of `replacing` if given. */
function startApp(name, replacing) {
  const part = addPart(
    new Part(name, {
      script: join(ROOT, 'dist', 'apps', name, 'main.js'),
      cwd: ROOT,
      env: appSpecs.get(name).env,
      preloadExitWithParent: true,
    }),
    replacing,
  );
  if (part.pid) say(`${name} started (pid ${part.pid})`);
  return part;
}

/** Polls `url` until it answers 200; fails when `deadline` passes or a `watched` part died. */
async function waitReady(part, url, deadline, watched = parts) {
  let last = 'gave no answer';
  while (Date.now() < deadline) {
    const dead = watched.find((candidate) => !candidate.running);
    if (dead) throw new Error(`${dead.name} ${dead.describeExit()} while starting`);

    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const text = (await response.text()).slice(0, 200);
      if (response.status === 200) return;
      last = `answered ${response.status} ${text}`;
    } catch (error) {
      last = `could not be reached (${error.cause?.code ?? error.message})`;
    }
    await pause(300);
  }
  throw new Error(
    `${part.name} did not become ready within ${READY_DEADLINE_MS / 1000} s: GET ${url} ${last}`,
  );
}

/** Where to reach a server listening on `host` from this machine. */
function reachableHost(host) {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function printGuide(state, authEnabled) {
  const fixture =
    'test-fixtures/genesys/eventbridge__v2.detail.events.conversation.ID.customer.end.json';
  const rule = '-'.repeat(78);
  const lines = [
    rule,
    'The pipeline is running.',
    '',
    'Send an event (from the repository root):',
    `  curl -X POST ${state.webhookUrl} -H 'content-type: application/json' --data @${fixture}`,
    ...(authEnabled ? ["    adding your credentials, e.g. -H 'x-api-key: <your key>'"] : []),
    '',
  ];
  if (state.downstreamControlUrl) {
    const control = state.downstreamControlUrl;
    lines.push(
      'Make the sample downstream fail (events then wait on the DLQ), recover, see its calls:',
      `  curl -X POST '${control}/fail?seconds=30'`,
      `  curl -X POST ${control}/fail`,
      '    (without ?seconds= it fails until told to recover)',
      `  curl -X POST ${control}/recover`,
      `  curl ${control}/stats`,
      '',
      'A scripted run: npm run demo (in another terminal)',
    );
  } else {
    lines.push('npm run demo needs the sample downstream: start without DOWNSTREAM_URL for it.');
  }
  lines.push(
    `Readiness: ${state.receiverUrl}/readyz (receiver), ${state.workerHealthUrl}/readyz (worker)`,
    `Queues: ${state.dlqQueueName} (DLQ), ${state.parkingQueueName} (parking) ` +
      `on ${new URL(state.sqsEndpoint).origin}`,
    '',
    'Look at the queues with the admin CLI, run from the repository root (anywhere else npx',
    'would look the name up in the public npm registry instead):',
    `  ${adminCliEnv(state).join(' ')} npx genesys-admin dlq stats`,
    ...(state.embeddedSqs ? [] : ['    with your AWS credentials exported, as for npm start']),
    '',
    ...(state.embeddedSqs
      ? [
          'The local SQS server keeps messages in memory only: stopping npm start, or a crash',
          'of this launcher, drops whatever is still queued. A receiver or worker that crashes',
          `is started again (at most ${RESTART_LIMIT} times a minute).`,
        ]
      : ['A receiver or worker that crashes is started again.']),
    'Stop everything: Ctrl+C',
    rule,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The variables that point genesys-admin at this pipeline's queues. Settings equal to the
 * CLI's own defaults (which are the launcher's too) are left out, to keep the line short.
 */
function adminCliEnv(state) {
  const variables = [`SQS_ENDPOINT=${new URL(state.sqsEndpoint).origin}`];
  // The embedded server takes any key; the user's own server needs their credentials.
  if (state.embeddedSqs) {
    const { accessKeyId, secretAccessKey } = LOCAL_CREDENTIALS;
    variables.push(`AWS_ACCESS_KEY_ID=${accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${secretAccessKey}`);
  }
  if (state.region !== 'us-east-1') variables.push(`AWS_REGION=${state.region}`);
  if (state.dlqQueueName !== 'genesys-webhook-dlq') {
    variables.push(`DLQ_QUEUE_NAME=${state.dlqQueueName}`);
  }
  if (state.parkingQueueName !== 'genesys-webhook-parked') {
    variables.push(`PARKING_QUEUE_NAME=${state.parkingQueueName}`);
  }
  return variables;
}

async function main() {
  const other = readLiveState();
  if (other) throw new Error(`another npm start is running (pid ${other.pid}); stop it first`);
  for (const app of APPS) {
    const file = join('dist', 'apps', app, 'main.js');
    if (!existsSync(join(ROOT, file))) {
      throw new Error(`${file} is missing: run npm start, which builds the apps first`);
    }
  }

  const sqs = await startSqs();
  const client = createClient({ ...sqs, region: settings.region });
  try {
    await ensureQueues(client, settings, say);
  } finally {
    client.destroy();
  }
  say(
    `queues ready: ${settings.dlqName} (DLQ, to ${settings.parkingName} after ` +
      `${MAX_RECEIVE_COUNT} receives) and ${settings.parkingName} (parking)`,
  );

  const payloadEnv = await ensurePayloadBucket(sqs);
  const auth = receiverAuth();
  const downstream = await startDownstream();
  const appEnv = {
    ...env,
    ...sqs.childEnv,
    ...payloadEnv,
    DOWNSTREAM_URL: downstream.url,
    SQS_ENDPOINT: sqs.endpoint,
    DLQ_QUEUE_NAME: settings.dlqName,
    // Both apps read HOST: the receiver for its endpoint, the worker for its health server.
    HOST: settings.receiverHost,
    // The AWS SDK warns about Node 20 once per process; the launcher has shown it already.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
      env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
  };
  const receiverUrl = `http://${reachableHost(settings.receiverHost)}:${settings.receiverPort}`;
  const workerHealthUrl = `http://${reachableHost(settings.receiverHost)}:${settings.healthPort}`;
  appSpecs.set('receiver', {
    env: { ...appEnv, ...auth.env, PORT: settings.receiverPort },
    readyUrl: `${receiverUrl}/readyz`,
  });
  appSpecs.set('dlq-worker', {
    env: {
      ...appEnv,
      PARKING_QUEUE_NAME: settings.parkingName,
      HEALTH_PORT: settings.healthPort,
      // Short waits between retries, so a local run shows redelivery within seconds.
      RETRY_BASE_DELAY_SECONDS: env.RETRY_BASE_DELAY_SECONDS || '2',
      RETRY_MAX_DELAY_SECONDS: env.RETRY_MAX_DELAY_SECONDS || '10',
      BREAKER_COOLDOWN_SECONDS: env.BREAKER_COOLDOWN_SECONDS || '10',
    },
    readyUrl: `${workerHealthUrl}/readyz`,
  });

  const deadline = Date.now() + READY_DEADLINE_MS;
  await Promise.all(
    APPS.map((name) => waitReady(startApp(name), appSpecs.get(name).readyUrl, deadline)),
  );
  // A Ctrl+C while starting: shutdown() is stopping the parts already.
  if (stopping) return;

  const state = {
    receiverUrl,
    webhookUrl: `${receiverUrl}/webhooks/genesys`,
    workerHealthUrl,
    sampleDownstream: downstream.sample,
    // A real downstream's URL may carry a token: only the sample's is written down.
    downstreamUrl: downstream.sample ? downstream.url : null,
    downstreamControlUrl: downstream.controlUrl ?? null,
    sqsEndpoint: sqs.endpoint,
    embeddedSqs: sqs.embedded,
    region: settings.region,
    dlqQueueName: settings.dlqName,
    parkingQueueName: settings.parkingName,
  };
  writeState(state);
  running = true;
  say(`state for npm run demo written to ${STATE_FILE}`);
  printGuide(state, auth.enabled);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

main().catch((error) => {
  if (stopping) return;
  const causes = [];
  for (let current = error; current; current = current.cause) causes.push(current.message);
  complain(`could not start the pipeline: ${causes.join(': ')}`);
  void shutdown(1);
});
