import { PassThrough } from 'node:stream';
import { createLogger } from '@webhook-dlq/runtime';
import { BatchingQueue, type ReceiveOptions, type SqsQueue } from '@webhook-dlq/sqs';
import { DownstreamGate, type GateSettings } from '../src/downstream-gate';
import { WorkerMetrics } from '../src/metrics';
import { DlqWorker, type WorkerResources, type WorkerSettings } from '../src/worker';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';

export { enqueueAsReceiver, variant } from '../../../tools/testing/enqueue';

export interface HarnessOverrides extends Partial<WorkerSettings> {
  gate?: Partial<GateSettings>;
  resources?: Partial<WorkerResources>;
}

/**
 * A worker in this process on fresh queues of the local SQS server, with a real downstream,
 * counting receive calls and collecting its log lines.
 */
export class WorkerHarness {
  readonly logs: Array<Record<string, unknown>> = [];
  receiveCalls = 0;
  worker: DlqWorker | undefined;
  metrics = new WorkerMetrics();

  private constructor(
    readonly downstream: TestDownstream,
    readonly dlq: SqsQueue,
    readonly parked: SqsQueue,
  ) {}

  static async create(): Promise<WorkerHarness> {
    const { dlq, parked } = await freshQueues(testSqsClient());
    return new WorkerHarness(await TestDownstream.start(), dlq, parked);
  }

  start(overrides: HarnessOverrides = {}): DlqWorker {
    const { gate, resources, ...settings } = overrides;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) =>
      this.logs.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ),
    );
    this.metrics = new WorkerMetrics();
    this.worker = new DlqWorker(
      {
        downstreamUrl: this.downstream.url,
        downstreamTimeoutMs: 2000,
        maxInFlight: 8,
        visibilityTimeoutSeconds: 30,
        waitTimeSeconds: 1,
        dedupWindowSeconds: 600,
        policy: {
          maxAttempts: 8,
          maxEventAgeSeconds: 3600,
          baseDelaySeconds: 0,
          maxDelaySeconds: 0,
        },
        ...settings,
      },
      {
        source: {
          receive: (options: ReceiveOptions) => {
            this.receiveCalls += 1;
            return this.dlq.receive(options);
          },
        },
        dlq: new BatchingQueue(this.dlq),
        parked: new BatchingQueue(this.parked),
        gate: new DownstreamGate({
          maxRps: 0,
          breakerErrorPercent: 50,
          breakerMinRequests: 1000,
          breakerWindowSeconds: 30,
          breakerCooldownSeconds: 30,
          ...gate,
        }),
        metrics: this.metrics,
        logger: createLogger({ service: 'dlq-worker', level: 'info', stream }),
        ...resources,
      },
    );
    this.worker.start();
    return this.worker;
  }

  /** The canonical per-message lines. */
  handled(): Array<Record<string, unknown>> {
    return this.logs.filter((line) => line.message === 'dlq message');
  }

  async close(): Promise<void> {
    await this.worker?.stop(5000);
    await this.downstream.close();
  }
}
