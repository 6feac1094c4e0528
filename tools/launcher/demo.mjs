// `npm run demo`: a scripted run against a pipeline started with `npm start`.
//
// The sample downstream fails for a few seconds while every Genesys sample (and variants with
// new ids) is posted, so the receiver queues them; two more follow once it has recovered. The
// demo then waits for the worker to deliver what was queued and counts, per event, what
// became of it, from the receiver's answer (its JSON `status`) and the downstream's record. An
// event acknowledged but neither delivered nor parked is lost: exit 1.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, peekEvents, queueDepth, queueUrl } from './queues.mjs';
import { readLiveState } from './state.mjs';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test-fixtures', 'genesys');
const SAMPLES = {
  start: 'eventbridge__v2.detail.events.conversation.ID.customer.start.json',
  end: 'eventbridge__v2.detail.events.conversation.ID.customer.end.json',
  bare: 'processautomation__v2.detail.events.conversation.ID.customer.end__eventBody.json',
};
/** The bare eventBody sample names no topic; it is posted to the topic route. */
const BARE_BODY_TOPIC = 'v2.detail.events.conversation.conversationId.customer.end';

const FAIL_SECONDS = 8;
const SETTLE_DEADLINE_MS = 90_000;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function sample(name) {
  return readFileSync(join(FIXTURES, SAMPLES[name]));
}

function jsonBytes(value) {
  return Buffer.from(JSON.stringify(value, null, 2));
}

/** A copy of an EventBridge sample that is another event of another conversation. */
function eventBridgeVariant(event) {
  const conversationId = randomUUID();
  const copy = structuredClone(event);
  copy.id = randomUUID();
  const oldConversationId = event.detail.eventBody.conversationId;
  copy.detail.topicName = copy.detail.topicName.replace(oldConversationId, conversationId);
  copy.detail.eventBody.conversationId = conversationId;
  copy.detail.metadata.CorrelationId = randomUUID();
  return copy;
}

/** The requests to post: while the downstream fails (`early`) and after it recovered. */
function plannedRequests() {
  const end = JSON.parse(sample('end'));
  const start = JSON.parse(sample('start'));
  const bare = JSON.parse(sample('bare'));
  const bareRoute = `/${BARE_BODY_TOPIC}`;

  const early = [
    { label: 'EventBridge customer.end (as published)', body: sample('end') },
    { label: 'EventBridge customer.start (as published)', body: sample('start') },
    { label: 'notification (detail of customer.end)', body: jsonBytes(end.detail) },
    { label: 'bare eventBody (as published)', route: bareRoute, body: sample('bare') },
    { label: 'EventBridge customer.end, new ids', body: jsonBytes(eventBridgeVariant(end)) },
    { label: 'EventBridge customer.start, new ids', body: jsonBytes(eventBridgeVariant(start)) },
    { label: 'notification, new ids', body: jsonBytes(eventBridgeVariant(end).detail) },
    { label: 'notification, new ids', body: jsonBytes(eventBridgeVariant(start).detail) },
  ];
  const late = [
    { label: 'EventBridge customer.end, new ids', body: jsonBytes(eventBridgeVariant(end)) },
    {
      label: 'bare eventBody, new conversation',
      route: bareRoute,
      body: jsonBytes({ ...bare, conversationId: randomUUID() }),
    },
  ];
  return { early, late };
}

/**
 * Posts one event. `answer` is the receiver's JSON `status`: 200 means `delivered` or
 * `duplicate` (a copy of an event it acknowledged a short while ago, not sent on again).
 */
async function post(state, request) {
  const sent = { ...request, status: 0, answer: null, eventId: null };
  try {
    const response = await fetch(state.webhookUrl + (request.route ?? ''), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request.body,
      signal: AbortSignal.timeout(10_000),
    });
    sent.status = response.status;
    const body = await response.json().catch(() => ({}));
    sent.answer = typeof body.status === 'string' ? body.status : null;
    sent.eventId = body.eventId ?? null;
  } catch (error) {
    sent.error = error.cause?.code ?? error.message;
  }
  const answer = isAcknowledged(sent) ? (sent.answer ?? 'acknowledged') : 'NOT acknowledged';
  const status = sent.status || `no answer (${sent.error})`;
  console.log(`  ${String(status).padEnd(4)} ${answer.padEnd(16)} ${request.label}`);
  return sent;
}

function isAcknowledged(sent) {
  return sent.status === 200 || sent.status === 202;
}

/**
 * Posts each request in turn. The demo sends no credentials, so a 401 would be the answer to
 * every one: it stops at the first, puts the downstream right and says what to do.
 */
async function postAll(state, requests, sent) {
  for (const request of requests) {
    const entry = await post(state, request);
    sent.push(entry);
    if (entry.status !== 401) continue;

    await control(state, '/recover').catch(() => undefined);
    fail(
      '\nThe receiver answered 401: this pipeline requires authentication (npm start was given ' +
        'AUTH_* variables) and the demo sends no credentials. Stop npm start and start it ' +
        'again without AUTH_API_KEYS, AUTH_BASIC_USERS and AUTH_HMAC_SECRETS, then run the ' +
        'demo again.',
    );
  }
}

async function control(state, path, method = 'POST') {
  const response = await fetch(`${state.downstreamControlUrl}${path}`, {
    method,
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
  return response.json();
}

/** Per event id, the downstream's calls since `since` (ms). */
function callsSince(stats, since) {
  return callsWhere(stats, (at) => at >= since);
}

function callsBefore(stats, since) {
  return callsWhere(stats, (at) => at < since);
}

function callsWhere(stats, test) {
  const calls = new Map();
  for (const [eventId, entry] of Object.entries(stats.byEventId)) {
    const matching = entry.attempts.filter((call) => test(Date.parse(call.at)));
    if (matching.length > 0) calls.set(eventId, matching);
  }
  return calls;
}

function deliveries(calls, eventId) {
  return (calls.get(eventId) ?? []).filter((call) => call.status >= 200 && call.status < 300);
}

/** Ids up to a UUID's length as they are; longer ones (hashes, topic:id) cut in the middle. */
function shortId(eventId) {
  if (!eventId) return '-';
  return eventId.length <= 36 ? eventId : `${eventId.slice(0, 10)}...${eventId.slice(-23)}`;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every acknowledged event has reached the downstream, or the DLQ holds nothing
 * (so what is left was parked or lost). Resolves with whether it settled in time.
 */
async function waitForWorker(state, sqs, dlqUrl, ackedIds, since) {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  let lastReport = 0;
  for (;;) {
    const calls = callsSince(await control(state, '/stats', 'GET'), since);
    const delivered = ackedIds.filter((id) => deliveries(calls, id).length > 0).length;
    const depth = await queueDepth(sqs, dlqUrl);
    if (delivered === ackedIds.length || depth.total === 0) return true;
    if (Date.now() > deadline) return false;

    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      const elapsed = Math.round((Date.now() - since) / 1000);
      console.log(
        `  ${String(elapsed).padStart(3)} s: ${delivered} of ${ackedIds.length} delivered; DLQ ` +
          `${depth.visible} ready, ${depth.inFlight} being handled, ${depth.delayed} waiting`,
      );
    }
    await pause(1000);
  }
}

/**
 * What became of one posted event. `calls` are the downstream's calls since the demo began;
 * `earlier` those before it, for events (the samples as published) posted by an earlier run.
 */
function outcomeOf(sent, calls, earlier, parkedIds) {
  if (!isAcknowledged(sent)) return 'not acknowledged';
  // The receiver did not send this copy on; the first copy's own line says what became of it.
  if (sent.answer === 'duplicate') return 'duplicate, not sent on';
  const delivered = deliveries(calls, sent.eventId);
  // A 200 the downstream has no record of is not counted as delivered.
  if (sent.answer === 'delivered' && delivered.length > 0) return 'delivered at once';
  if (delivered.length > 0) {
    const attempt = delivered[0].attempt ?? '?';
    return attempt === 1 ? 'delivered' : `redelivered (attempt ${attempt})`;
  }
  if (parkedIds.has(sent.eventId)) return 'parked';
  // The worker drops a copy of an event it delivered a short while ago (its dedup window).
  if (deliveries(earlier, sent.eventId).length > 0) return 'delivered by an earlier run';
  return 'unsettled';
}

/**
 * The URLs of both queues: the first calls to SQS, made before anything is posted. With a
 * server of the user's own, the SDK needs credentials from this terminal's environment.
 */
async function openQueues(state, sqs) {
  try {
    const dlqUrl = await queueUrl(sqs, state.dlqQueueName);
    const parkingUrl = await queueUrl(sqs, state.parkingQueueName);
    return { dlqUrl, parkingUrl };
  } catch (error) {
    if (state.embeddedSqs || error?.name !== 'CredentialsProviderError') throw error;
    fail(
      `The pipeline uses your SQS server at ${new URL(state.sqsEndpoint).origin} ` +
        '(SQS_ENDPOINT), and the demo found no AWS credentials to read its queues with ' +
        `(${error.message}). Export the credentials npm start was given in this terminal ` +
        'too (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), then run the demo ' +
        'again.',
    );
  }
}

async function main() {
  const state = readLiveState();
  if (!state) fail('The pipeline is not running: start the pipeline first with npm start.');
  if (!state.sampleDownstream) {
    fail(
      'The demo needs the sample downstream, and this pipeline delivers to DOWNSTREAM_URL. ' +
        'Restart npm start without DOWNSTREAM_URL.',
    );
  }
  const ready = await fetch(`${state.receiverUrl}/readyz`).catch(() => undefined);
  if (ready?.status !== 200) fail(`The receiver at ${state.receiverUrl} is not ready.`);

  const sqs = createClient({
    endpoint: state.sqsEndpoint,
    region: state.region,
    embedded: state.embeddedSqs,
  });
  const { dlqUrl, parkingUrl } = await openQueues(state, sqs);
  const before = await queueDepth(sqs, dlqUrl);
  if (before.total > 0) {
    console.log(`The DLQ already holds ${before.total} messages; the worker retries them too.`);
  }

  const since = Date.now();
  const { early, late } = plannedRequests();
  await control(state, `/fail?seconds=${FAIL_SECONDS}`);
  console.log(`The sample downstream fails for ${FAIL_SECONDS} s. Posting ${early.length} events:`);
  const sent = [];
  await postAll(state, early, sent);

  console.log('Waiting for the sample downstream to recover...');
  const recoverBy = since + (FAIL_SECONDS + 5) * 1000;
  while ((await control(state, '/stats', 'GET')).failing) {
    if (Date.now() > recoverBy) {
      // Someone told it to fail for longer meanwhile; the demo needs it answering again.
      console.log('It is still failing; telling it to recover.');
      await control(state, '/recover');
      break;
    }
    await pause(250);
  }
  console.log(`Posting ${late.length} more events:`);
  await postAll(state, late, sent);

  const acked = sent.filter(isAcknowledged);
  const ackedIds = [...new Set(acked.map((entry) => entry.eventId))];
  console.log(`Waiting (at most ${SETTLE_DEADLINE_MS / 1000} s) for the worker to deliver:`);
  const settled = await waitForWorker(state, sqs, dlqUrl, ackedIds, since);

  const stats = await control(state, '/stats', 'GET');
  const calls = callsSince(stats, since);
  const earlier = callsBefore(stats, since);
  const parked = (await peekEvents(sqs, parkingUrl)).filter((message) => message.sentAt >= since);
  const parkedIds = new Set(parked.map((message) => message.eventId));
  const parkingDepth = await queueDepth(sqs, parkingUrl);
  sqs.destroy();

  console.log('\nEvent by event:');
  const outcomes = sent.map((entry) => outcomeOf(entry, calls, earlier, parkedIds));
  sent.forEach((entry, index) => {
    const outcome = outcomes[index].padEnd(28);
    console.log(`  ${entry.label.padEnd(42)} ${outcome} ${shortId(entry.eventId)}`);
  });

  const count = (predicate) => outcomes.filter(predicate).length;
  const unsettled = count((outcome) => outcome === 'unsettled');
  const earlierRun = count((outcome) => outcome === 'delivered by an earlier run');
  const lost = settled ? unsettled : 0;
  const rows = [
    ['events posted', sent.length],
    ['received (acknowledged)', acked.length],
    ['not acknowledged', sent.length - acked.length],
    ['delivered at once (200 delivered)', count((outcome) => outcome === 'delivered at once')],
    ['duplicates (200 duplicate)', count((outcome) => outcome.startsWith('duplicate'))],
    ['queued on the DLQ (202)', sent.filter((entry) => entry.status === 202).length],
    ['redelivered by the worker', count((outcome) => outcome.startsWith('redelivered'))],
    ['delivered more than once', ackedIds.filter((id) => deliveries(calls, id).length > 1).length],
    ['parked', count((outcome) => outcome === 'parked')],
    ...(earlierRun > 0 ? [['dropped: delivered by an earlier run', earlierRun]] : []),
    ...(settled ? [] : [['still on the DLQ at the deadline', unsettled]]),
    ['lost', lost],
  ];
  console.log('\nSummary:');
  for (const [name, value] of rows) {
    console.log(`  ${name.padEnd(40)} ${String(value).padStart(4)}`);
  }
  console.log(`  (the parking queue holds ${parkingDepth.total} messages in all)`);

  if (lost > 0) fail(`\n${lost} acknowledged events were neither delivered nor parked.`);
  if (!settled) {
    fail(`\nThe worker did not settle every event within ${SETTLE_DEADLINE_MS / 1000} s.`);
  }
  if (acked.length < sent.length) fail('\nSome events were not acknowledged; see above.');
  console.log('\nNothing lost: every acknowledged event reached the downstream or was parked.');
}

main().catch((error) => fail(`The demo failed: ${error.message}`));
