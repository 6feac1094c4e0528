// One scenario's pipeline, every part its own process: a fresh local SQS server with a DLQ and
// a parking queue, the counting downstream, the receiver and any number of workers.
import { startReceiver, startWorker } from '../harness/apps.mjs';
import { parseJson } from '../harness/children.mjs';
import { Downstream } from '../harness/downstream.mjs';
import { createClient, createQueuePair, sqsEnv, startSqsServer } from '../harness/sqs.mjs';

/**
 * Settings that make a scenario take seconds rather than minutes; everything else keeps the
 * apps' defaults. Scenarios override what they are about.
 */
const RECEIVER_ENV = {
  FIRST_RETRY_DELAY_SECONDS: '1',
  RETRY_AFTER_SECONDS: '1',
};

const WORKER_ENV = {
  WAIT_TIME_SECONDS: '2',
  RETRY_BASE_DELAY_SECONDS: '1',
  RETRY_MAX_DELAY_SECONDS: '4',
  BREAKER_COOLDOWN_SECONDS: '2',
  BREAKER_WINDOW_SECONDS: '10',
};

export class Pipeline {
  static async start({ bundles, maxReceiveCount = 10, receiverEnv = {}, workerEnv = {} }) {
    const pipeline = new Pipeline(bundles);
    const [sqs, downstream] = await Promise.all([startSqsServer(), Downstream.start()]);
    pipeline.sqs = sqs.child;
    pipeline.downstream = downstream;
    pipeline.client = createClient(sqs.endpoint);
    pipeline.queues = await createQueuePair(pipeline.client, { maxReceiveCount, prefix: 'chaos' });

    const shared = {
      ...sqsEnv(sqs.endpoint),
      DLQ_QUEUE_NAME: pipeline.queues.dlqName,
      DOWNSTREAM_URL: pipeline.downstream.url,
    };
    pipeline.receiverEnv = { ...shared, ...RECEIVER_ENV, ...receiverEnv };
    pipeline.workerEnv = {
      ...shared,
      ...WORKER_ENV,
      PARKING_QUEUE_NAME: pipeline.queues.parkingName,
      ...workerEnv,
    };
    return pipeline;
  }

  constructor(bundles) {
    this.bundles = bundles;
    this.workers = [];
    this.workerCount = 0;
    /** Outcomes of the workers' `dlq message` lines, all workers together, e.g. `held:shutdown`. */
    this.workerOutcomes = {};
  }

  async startReceiver() {
    this.receiver = await startReceiver(this.bundles, this.receiverEnv);
    return this.receiver;
  }

  /** Starts one more worker process; resolves once it is ready. */
  async startWorker(extraEnv = {}) {
    this.workerCount += 1;
    const worker = await startWorker(
      this.bundles,
      { ...this.workerEnv, ...extraEnv },
      `dlq-worker-${this.workerCount}`,
      (line) => this.countOutcome(line),
    );
    this.workers.push(worker);
    return worker;
  }

  countOutcome(line) {
    if (!line.includes('"dlq message"')) return;
    const entry = parseJson(line);
    if (entry?.message !== 'dlq message') return;
    const reason = entry.hold_reason ?? entry.park_reason;
    const key = reason ? `${entry.outcome}:${reason}` : entry.outcome;
    this.workerOutcomes[key] = (this.workerOutcomes[key] ?? 0) + 1;
  }

  /** Stops the apps first, then what they talk to, so none logs a refused connection. */
  async stop() {
    const apps = [this.receiver?.child, ...this.workers.map((worker) => worker.child)];
    await Promise.all(apps.filter(Boolean).map((child) => child.stop()));
    await Promise.all([this.sqs?.stop(), this.downstream?.child.stop()]);
  }

  /** Every process of the pipeline, for the report when something goes wrong. */
  children() {
    return [
      this.sqs,
      this.downstream?.child,
      this.receiver?.child,
      ...this.workers.map((w) => w.child),
    ].filter(Boolean);
  }
}
