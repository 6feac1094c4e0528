// One worker is SIGKILLed again and again in the middle of a drain (and replaced each time),
// while another keeps running. What the killed one held comes back after its visibility
// timeout: a second call with the same Idempotency-Key is allowed, a loss or a park is not.
import { sleep } from '../harness/children.mjs';
import { queueThroughReceiver } from '../lib/preload.mjs';
import { settleAndCount } from '../lib/tally.mjs';

const EVENTS = 800;
const KILLS = 5;
const KILL_EVERY_MS = 2000;

/** Slow enough deliveries, few enough slots, that the drain outlasts the kills. */
const WORKER_ENV = { MAX_IN_FLIGHT: '6', VISIBILITY_TIMEOUT_SECONDS: '5', WAIT_TIME_SECONDS: '1' };
const DELIVERY_MS = 250;

export default {
  name: 'worker-kills',
  title: `a worker SIGKILLed ${KILLS} times during a drain, another running throughout`,
  async run({ startPipeline, log }) {
    const pipeline = await startPipeline({ workerEnv: WORKER_ENV });
    await pipeline.startReceiver();
    const sender = await queueThroughReceiver(pipeline, { events: EVENTS, prefix: 'kills' });
    log(`${sender.stats().acknowledged} events acknowledged and queued`);

    await pipeline.downstream.setMode({ delayMs: DELIVERY_MS });
    await pipeline.startWorker();
    let victim = await pipeline.startWorker();
    let kills = 0;
    for (; kills < KILLS; kills += 1) {
      await sleep(KILL_EVERY_MS);
      const { ok } = await pipeline.downstream.summary();
      if (ok >= EVENTS) break;
      log(`SIGKILL ${victim.child.name} (${ok} delivered so far)`);
      await victim.child.kill();
      victim = await pipeline.startWorker();
    }

    const counts = await settleAndCount(pipeline, sender, { timeoutMs: 60_000 });
    counts.extra = { kills };
    return {
      counts,
      checks: [
        { ok: kills >= 3, what: `the drain lasted through at least 3 kills (${kills})` },
        { ok: counts.parked === 0, what: 'nothing parked because of the kills' },
      ],
    };
  },
};
