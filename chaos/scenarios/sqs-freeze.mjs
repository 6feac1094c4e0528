// SQS unreachable for 10 s during a steady load. The SQS server process is frozen (SIGSTOP)
// rather than restarted: it keeps messages only in memory. Half the downstream's answers fail,
// so half the events need the DLQ; while it is frozen the receiver must answer 503 for those
// (the sender retries, as EventBridge does), and nothing it acknowledged may be lost.
import { sleep } from '../harness/children.mjs';
import { CALLER_HEADERS } from '../harness/apps.mjs';
import { eventFactory } from '../harness/events.mjs';
import { eventRequest, Sender } from '../harness/sender.mjs';
import { settleAndCount } from '../lib/tally.mjs';

const RATE = 50;
const EVENTS = 800;
/** Answers before the freeze, so it lands in the middle of the load however busy we are. */
const FREEZE_AFTER_ANSWERS = 200;
const FREEZE_MS = 10_000;

export default {
  name: 'sqs-freeze',
  title: 'SQS server frozen for 10 s during steady load',
  async run({ startPipeline, log }) {
    // What the worker held when a settle failed against the frozen server comes back after
    // its visibility timeout: 10 s instead of the default 60 s keeps the scenario short.
    const pipeline = await startPipeline({ workerEnv: { VISIBILITY_TIMEOUT_SECONDS: '10' } });
    await pipeline.downstream.setMode({ failPercent: 50 });
    const [receiver] = await Promise.all([pipeline.startReceiver(), pipeline.startWorker()]);

    const sender = new Sender(receiver.url, CALLER_HEADERS);
    const makeEvent = eventFactory(`freeze-${Date.now()}`);
    sender.add(Array.from({ length: EVENTS }, (_, n) => eventRequest(makeEvent(n))));

    const outage = (async () => {
      await sender.answersReach(FREEZE_AFTER_ANSWERS);
      log('freezing the SQS server (SIGSTOP)');
      pipeline.sqs.pause();
      const answersBefore = { ...sender.stats().answers };
      await sleep(FREEZE_MS);
      pipeline.sqs.resume();
      log('SQS server continued (SIGCONT)');
      return diff(sender.stats().answers, answersBefore);
    })();

    await sender.run({ rate: RATE, amount: EVENTS });
    const duringFreeze = await outage;
    log(`answers while frozen: ${JSON.stringify(duringFreeze)}`);
    log('load done; downstream healthy; sender retrying what was not acknowledged');
    await pipeline.downstream.setMode({});
    await sender.settle({ timeoutMs: 30_000 });
    log('every event acknowledged; waiting for the DLQ to empty');

    const counts = await settleAndCount(pipeline, sender, { timeoutMs: 40_000, log });
    return {
      counts,
      checks: [
        {
          ok: (duringFreeze[503] ?? 0) > 0,
          what: 'the receiver answered 503 while it could not store (the freeze reached it)',
        },
        { ok: counts.parked === 0, what: 'nothing parked' },
      ],
    };
  },
};

function diff(after, before) {
  const changes = {};
  for (const [status, count] of Object.entries(after)) {
    const added = count - (before[status] ?? 0);
    if (added > 0) changes[status] = added;
  }
  return changes;
}
