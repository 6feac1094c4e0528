// 1,000 bad requests mixed into good traffic: malformed JSON, wrong types, bodies over the
// limit, missing and wrong credentials, unknown shapes. Each bad one must get the 4xx that
// names its fault, the receiver must stay up, nothing bad may reach the downstream, and every
// good event must be delivered.
import { CALLER_HEADERS } from '../harness/apps.mjs';
import { eventFactory } from '../harness/events.mjs';
import { eventRequest, Sender } from '../harness/sender.mjs';
import { BODY_LIMIT_BYTES, badRequests, mixed } from '../lib/malformed.mjs';
import { settleAndCount } from '../lib/tally.mjs';

const GOOD = 500;
const RATE = 200;

export default {
  name: 'bad-requests',
  title: `1,000 bad requests mixed into ${GOOD} good events`,
  async run({ startPipeline, log }) {
    const pipeline = await startPipeline({
      receiverEnv: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) },
    });
    const [receiver] = await Promise.all([pipeline.startReceiver(), pipeline.startWorker()]);

    const withCredentials = await checksCredentials(receiver.url);
    if (!withCredentials) {
      log('this receiver admits callers without credentials: the credential cases are left out');
    }
    const bad = badRequests({ withCredentials });
    const makeEvent = eventFactory(`mixed-${Date.now()}`);
    const good = Array.from({ length: GOOD }, (_, n) => eventRequest(makeEvent(n)));

    const sender = new Sender(receiver.url, CALLER_HEADERS);
    sender.add(mixed([...good, ...bad]));
    await sender.run({ rate: RATE, amount: good.length + bad.length });
    await sender.settle({ timeoutMs: 30_000 });
    log(`${bad.length} bad requests answered; waiting for the good events`);

    const counts = await settleAndCount(pipeline, sender, { timeoutMs: 30_000, log });
    const answered = bad.map((request) => sender.items.get(request.id));
    const wrong = answered.filter((item) => !answeredAs(item, item.expect));
    const known = wrong.filter((item) => answeredAs(item, item.knownDeviation));
    const unknown = wrong.filter((item) => !known.includes(item));
    if (known.length > 0) log(`known deviations: ${JSON.stringify(summarize(known))}`);
    // Once the receiver is mended, say so, so the note on the deviation is dropped too.
    const mended = answered.filter((item) => item.knownDeviation && answeredAs(item, item.expect));
    if (mended.length > 0 && known.length === 0) {
      const kinds = [...new Set(mended.map((item) => item.label))];
      log(`known deviation gone: ${kinds.join(', ')} answered as expected; drop its note`);
    }
    counts.extra = {
      bad: bad.length,
      wrongAnswers: unknown.length,
      knownDeviations: known.length,
      credentialCases: withCredentials,
    };
    const healthy = await fetch(`${receiver.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    return {
      counts,
      checks: [
        {
          ok: unknown.length === 0,
          what: `every bad request got its 4xx (wrong: ${JSON.stringify(summarize(unknown))})`,
        },
        { ok: healthy, what: 'the receiver answers /healthz after the run' },
        { ok: counts.delivered === GOOD, what: `every good event delivered (${counts.delivered})` },
        { ok: counts.parked === 0, what: 'nothing parked' },
      ],
    };
  },
};

/** Whether the receiver refuses a caller with no credentials (the probe topic stores nothing). */
async function checksCredentials(origin) {
  const response = await fetch(`${origin}/webhooks/genesys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topicName: 'genesys-admin.probe', eventBody: {} }),
  });
  await response.arrayBuffer();
  return response.status === 401;
}

/** One answer, with this status and this `error` code. */
function answeredAs(item, answer) {
  const [reply, ...more] = item.replies;
  return (
    answer !== undefined &&
    more.length === 0 &&
    reply?.status === answer.status &&
    reply.body?.error === answer.error
  );
}

/** Wrong answers grouped by kind of request and what came back, for the failure line. */
function summarize(items) {
  const groups = {};
  for (const item of items) {
    const reply = item.replies[0];
    const key = `${item.label}: got ${reply?.status} ${reply?.body?.error ?? ''}`.trim();
    groups[key] = (groups[key] ?? 0) + 1;
  }
  return groups;
}
