import { decodeEnvelope } from '@webhook-dlq/payloads';
import { SqsQueue } from '@webhook-dlq/sqs';
import { coalescingDlq } from '../src/dlq';
import { TestDownstream } from '../../../tools/testing/downstream';
import {
  freshQueues,
  receiveAll,
  testSqsClient,
  testSqsEndpoint,
} from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';
import { TestReceiver } from './kit';
import { SqsFaultProxy } from './sqs-fault-proxy';

/** The EventBridge sample with its own id, so each is a distinct event. */
function event(n: number): { id: string; body: string } {
  const sample = JSON.parse(sampleBytes('eventBridgeEnd').toString('utf8')) as { id: string };
  const id = `${sample.id}-${n}`;
  return { id, body: JSON.stringify({ ...sample, id }) };
}

describe('receiver: concurrent stores share SendMessageBatch calls', () => {
  let downstream: TestDownstream;
  let proxy: SqsFaultProxy;
  let dlq: SqsQueue;
  let receiver: TestReceiver;

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    downstream.respondWith(503);
    proxy = await SqsFaultProxy.start(testSqsEndpoint());
    const { dlqName } = await freshQueues(testSqsClient());
    // The receiver reaches SQS through the proxy; the test reads the queue directly.
    const throughProxy = await SqsQueue.resolve(testSqsClient(proxy.endpoint), dlqName);
    dlq = await SqsQueue.resolve(testSqsClient(), dlqName);
    receiver = await TestReceiver.start(downstream.url, {
      // A generous linger, so requests that reach it at slightly different times share a call.
      dlq: coalescingDlq(throughProxy, 50),
      settings: { batchLingerMs: 50 },
    });
  });

  afterEach(async () => {
    await receiver.close();
    await proxy.close();
    await downstream.close();
  });

  it('answers each of 20 concurrent requests 202 with fewer calls than requests', async () => {
    const events = Array.from({ length: 20 }, (_, n) => event(n));

    const statuses = await Promise.all(
      events.map(async ({ body }) => (await receiver.post(body)).status),
    );

    expect(statuses).toEqual(events.map(() => 202));
    expect(proxy.batchSizes.reduce((sum, size) => sum + size, 0)).toBe(20);
    expect(proxy.batchSizes.length).toBeLessThan(20);
    expect(Math.max(...proxy.batchSizes)).toBeGreaterThan(1);
    const stored = (await receiveAll(dlq)).map((m) => decodeEnvelope(m.body).eventId);
    expect(stored.sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('answers 503 to the request whose entry failed, 202 to the rest; loses nothing', async () => {
    const events = Array.from({ length: 10 }, (_, n) => event(n));
    const unlucky = events[3];
    proxy.failMarker = unlucky.id;

    const answers = await Promise.all(
      events.map(async ({ id, body }) => ({ id, response: await receiver.post(body) })),
    );

    for (const { id, response } of answers) {
      expect([id, response.status]).toEqual([id, id === unlucky.id ? 503 : 202]);
    }
    const failed = answers.find((a) => a.id === unlucky.id)!.response;
    expect(failed.headers.get('retry-after')).toBe('7');
    // The failing entry shared a call with others, and was tried again before giving up.
    expect(Math.max(...proxy.batchSizes)).toBeGreaterThan(1);
    const stored = (await receiveAll(dlq)).map((m) => decodeEnvelope(m.body).eventId);
    expect(stored.sort()).toEqual(
      events
        .filter((e) => e !== unlucky)
        .map((e) => e.id)
        .sort(),
    );

    // The sender keeps what was refused and sends it again; now it is stored.
    proxy.failMarker = undefined;
    expect((await receiver.post(unlucky.body)).status).toBe(202);
    const [late] = await receiveAll(dlq);
    expect(decodeEnvelope(late.body).eventId).toBe(unlucky.id);
    const failures = { stage: 'dlq_send' };
    expect(await receiver.metricValue('receiver_dlq_send_failures_total', failures)).toBe(1);
  });
});
