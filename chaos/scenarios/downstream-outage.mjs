// The downstream fails every call for a while, then flaps (failing and healthy by turns, half
// the time each), then recovers, all under a steady load. Every acknowledged event must reach
// it in the end; the outage is shorter than the worker's attempt budget, so nothing is parked.
import { sleep } from '../harness/children.mjs';
import { CALLER_HEADERS } from '../harness/apps.mjs';
import { eventFactory } from '../harness/events.mjs';
import { eventRequest, Sender } from '../harness/sender.mjs';
import { settleAndCount } from '../lib/tally.mjs';

const RATE = 50;
const EVENTS = 1000;
const DOWN_MS = 10_000;
const FLAPPING_MS = 10_000;
const FLAP_WINDOW_MS = 1000;

export default {
  name: 'downstream-outage',
  title: 'downstream down 100 %, then flapping 50 %, then healthy',
  async run({ startPipeline, log }) {
    // Backoff of 2 to 8 s: the 20 s of trouble then costs an event at most about five of its
    // eight tries, so nothing should be parked.
    const pipeline = await startPipeline({
      workerEnv: { RETRY_BASE_DELAY_SECONDS: '2', RETRY_MAX_DELAY_SECONDS: '8' },
    });
    const receiver = await pipeline.startReceiver();
    await pipeline.startWorker();
    const { downstream } = pipeline;

    const sender = new Sender(receiver.url, CALLER_HEADERS);
    const makeEvent = eventFactory(`outage-${Date.now()}`);
    sender.add(Array.from({ length: EVENTS }, (_, n) => eventRequest(makeEvent(n))));

    const phases = (async () => {
      log('downstream failing every call');
      await downstream.setMode({ failPercent: 100 });
      await sleep(DOWN_MS);
      log(`downstream flapping (${FLAP_WINDOW_MS} ms failing, ${FLAP_WINDOW_MS} ms healthy)`);
      await downstream.setMode({ flapMs: FLAP_WINDOW_MS });
      await sleep(FLAPPING_MS);
      log('downstream healthy');
      await downstream.setMode({});
    })();

    await Promise.all([sender.run({ rate: RATE, amount: EVENTS }), phases]);
    await sender.settle({ timeoutMs: 30_000 });

    const counts = await settleAndCount(pipeline, sender, { timeoutMs: 60_000 });
    const answers = counts.answers;
    return {
      counts,
      checks: [
        { ok: counts.parked === 0, what: 'nothing parked: the outage was within the budget' },
        {
          ok: (answers[202] ?? 0) > 0 && (answers[200] ?? 0) > 0,
          what: 'the receiver both queued (202) and delivered (200) events',
        },
      ],
    };
  },
};
