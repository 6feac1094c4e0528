import type { NormalizedEvent } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { AppProcess } from '../../../tools/testing/app-process';
import { TestDownstream } from '../../../tools/testing/downstream';
import { enqueueAsReceiver, variant } from '../../../tools/testing/enqueue';
import { freePort } from '../../../tools/testing/free-port';
import {
  eventually,
  freshQueues,
  LOCAL_CREDENTIALS,
  receiveAll,
  testSqsClient,
  testSqsEndpoint,
} from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';

// Several worker processes, real delays of a few seconds.
jest.setTimeout(90_000);

/** Puts `count` distinct events on the DLQ as the receiver would after a failed try. */
async function enqueueEvents(dlq: SqsQueue, count: number): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  const run = Date.now();
  for (let n = 0; n < count; n += 1) {
    events.push(
      await enqueueAsReceiver(dlq, variant(sampleBytes('eventBridgeEnd'), `${run}-${n}`)),
    );
  }
  return events;
}

describe('dlq-worker processes sharing one queue', () => {
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let parked: SqsQueue;
  let env: Record<string, string>;
  const workers: AppProcess[] = [];

  async function startWorker(extra: Record<string, string> = {}): Promise<AppProcess> {
    const port = await freePort();
    const worker = AppProcess.start('dlq-worker', { ...env, HEALTH_PORT: String(port), ...extra });
    workers.push(worker);
    await worker.waitUntilReady(`http://127.0.0.1:${port}/readyz`);
    return worker;
  }

  const delivered = (worker: AppProcess) =>
    worker.logs().filter((l) => l.message === 'dlq message' && l.outcome === 'delivered');

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    const queues = await freshQueues(testSqsClient());
    ({ dlq, parked } = queues);
    env = {
      SQS_ENDPOINT: testSqsEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DLQ_QUEUE_NAME: queues.dlqName,
      PARKING_QUEUE_NAME: queues.parkedName,
      DOWNSTREAM_URL: downstream.url,
      HOST: '127.0.0.1',
      WAIT_TIME_SECONDS: '1',
      RETRY_BASE_DELAY_SECONDS: '0',
      RETRY_MAX_DELAY_SECONDS: '1',
      BREAKER_MIN_REQUESTS: '1000',
      SHUTDOWN_GRACE_SECONDS: '10',
    };
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    await downstream.close();
  });

  it('two workers deliver every message, none by both', async () => {
    const events = await enqueueEvents(dlq, 40);
    const [a, b] = await Promise.all([startWorker(), startWorker()]);

    await eventually(
      () => delivered(a).length + delivered(b).length,
      (n) => n === 40,
      30_000,
    );

    for (const event of events) expect(downstream.callsFor(event.eventId)).toHaveLength(1);
    const byA = new Set(delivered(a).map((l) => l.event_id));
    expect(delivered(b).filter((l) => byA.has(l.event_id))).toEqual([]);
    expect(await receiveAll(dlq)).toEqual([]);
  });

  it('a worker killed mid-delivery: the message comes back after its visibility timeout and the other delivers it', async () => {
    const [event] = await enqueueEvents(dlq, 1);
    downstream.respondWith(() =>
      downstream.calls.length === 1 ? { status: 200, delayMs: 10_000 } : { status: 200 },
    );
    const doomed = await startWorker({
      VISIBILITY_TIMEOUT_SECONDS: '3',
      DOWNSTREAM_TIMEOUT_MS: '20000',
    });
    await eventually(
      () => downstream.calls.length,
      (n) => n === 1,
      10_000,
    );

    await doomed.kill();
    const survivor = await startWorker({ VISIBILITY_TIMEOUT_SECONDS: '3' });
    await eventually(
      () => delivered(survivor).length,
      (n) => n === 1,
      20_000,
    );

    // Two calls, explained: the killed worker's call reached the downstream before the kill
    // (at-least-once), and the other worker's after the visibility timeout. Same key on both.
    const calls = downstream.callsFor(event.eventId);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.headers['x-dlq-attempt'])).toEqual(['2', '2']);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1500);
    expect(await receiveAll(dlq)).toEqual([]);
    expect(await receiveAll(parked)).toEqual([]);
  });

  it('SIGTERM: the delivery in progress finishes, unstarted messages are visible at once, exit 0', async () => {
    const events = await enqueueEvents(dlq, 5);
    downstream.respondWith({ status: 200, delayMs: 1000 });
    const worker = await startWorker({ DOWNSTREAM_MAX_RPS: '1' });
    await eventually(
      () => downstream.calls.length,
      (n) => n === 1,
      10_000,
    );

    expect(await worker.stop()).toBe(0);

    const finished = delivered(worker).map((l) => l.event_id);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    const remaining = await receiveAll(dlq);
    expect(remaining.length + finished.length).toBe(events.length);
    expect(await receiveAll(parked)).toEqual([]);
  });
});
