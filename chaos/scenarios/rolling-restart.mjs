// A rolling restart of every worker during a drain, twice over: each in turn gets SIGTERM and a
// new one starts, as a Deployment rollout does. The DLQ redrives to the parking queue after 3
// receives, so each receive a shutdown wastes brings a message nearer to being parked; the
// restarts must park nothing.
import { sleep } from '../harness/children.mjs';
import { queueThroughReceiver } from '../lib/preload.mjs';
import { settleAndCount } from '../lib/tally.mjs';

const EVENTS = 800;
const WORKERS = 2;
const ROUNDS = 2;
const PAUSE_BETWEEN_MS = 1500;
const MAX_RECEIVE_COUNT = 3;

/** A long poll of a few seconds, so a SIGTERM often finds one waiting. */
const WORKER_ENV = { MAX_IN_FLIGHT: '6', WAIT_TIME_SECONDS: '3' };
const DELIVERY_MS = 250;

export default {
  name: 'rolling-restart',
  title: `rolling restart of ${WORKERS} workers, ${ROUNDS} rounds, DLQ maxReceiveCount 3`,
  async run({ startPipeline, log }) {
    const pipeline = await startPipeline({
      maxReceiveCount: MAX_RECEIVE_COUNT,
      workerEnv: WORKER_ENV,
    });
    await pipeline.startReceiver();
    const sender = await queueThroughReceiver(pipeline, { events: EVENTS, prefix: 'rolling' });
    log(`${sender.stats().acknowledged} events acknowledged and queued`);

    await pipeline.downstream.setMode({ delayMs: DELIVERY_MS });
    const slots = [];
    for (let n = 0; n < WORKERS; n += 1) slots.push(await pipeline.startWorker());

    const exits = [];
    let restarts = 0;
    let finishedEarly = false;
    for (let round = 0; round < ROUNDS && !finishedEarly; round += 1) {
      for (let slot = 0; slot < WORKERS; slot += 1) {
        await sleep(PAUSE_BETWEEN_MS);
        const { ok } = await pipeline.downstream.summary();
        if (ok >= EVENTS) {
          finishedEarly = true;
          break;
        }
        const old = slots[slot];
        log(`SIGTERM ${old.child.name} and start its replacement (${ok} delivered so far)`);
        const [exit, replacement] = await Promise.all([
          old.child.stop(40_000),
          pipeline.startWorker(),
        ]);
        exits.push(exit);
        slots[slot] = replacement;
        restarts += 1;
      }
    }

    const counts = await settleAndCount(pipeline, sender, { timeoutMs: 60_000 });
    counts.extra = { restarts };
    return {
      counts,
      checks: [
        {
          ok: restarts === WORKERS * ROUNDS,
          what: `every worker restarted ${ROUNDS} times mid-drain`,
        },
        {
          ok: exits.every((exit) => exit.code === 0),
          what: `every stopped worker exited 0 (${JSON.stringify(exits)})`,
        },
        { ok: counts.parked === 0, what: 'nothing parked because of the restarts' },
      ],
    };
  },
};
