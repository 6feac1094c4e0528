import { decodeEnvelope } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { RecentEvents } from '../src/dedup';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';
import { type TestReceiverOptions, TestReceiver } from './kit';

const body = sampleBytes('eventBridgeEnd');
const EVENT_ID = '58fb5dac-f077-4eec-a25f-c638dbdd4368';

describe('receiver duplicate suppression', () => {
  const client = testSqsClient();
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let receiver: TestReceiver;

  async function start(options: Partial<TestReceiverOptions> = {}) {
    receiver = await TestReceiver.start(downstream.url, { dlq, ...options });
  }

  async function burst(count: number) {
    const responses = await Promise.all(Array.from({ length: count }, () => receiver.post(body)));
    return Promise.all(
      responses.map(async (response) => ({
        status: response.status,
        body: (await response.json()) as { status?: string; eventId?: string },
      })),
    );
  }

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    dlq = (await freshQueues(client)).dlq;
  });

  afterEach(async () => {
    await receiver?.close();
    await downstream.close();
  });

  it('makes one downstream call for a burst of 20 copies; 19 are duplicates', async () => {
    // Slow enough that most copies arrive while the first is still being delivered.
    downstream.respondWith({ status: 200, delayMs: 300 });
    await start();

    const answers = await burst(20);

    expect(downstream.calls).toHaveLength(1);
    const delivered = answers.filter((a) => a.status === 200 && a.body.status === 'delivered');
    expect(delivered).toHaveLength(1);
    const duplicates = answers.filter((a) => a.status === 200 && a.body.status === 'duplicate');
    expect(duplicates).toHaveLength(19);
    expect(duplicates[0].body).toEqual({ status: 'duplicate', eventId: EVENT_ID });
    expect(await receiveAll(dlq)).toEqual([]);
    expect(
      (await receiver.metricValue('receiver_duplicates_total', { of: 'in_flight' })) +
        (await receiver.metricValue('receiver_duplicates_total', { of: 'recent' })),
    ).toBe(19);
  });

  it('stores one DLQ message for a burst of 20 copies while the downstream fails', async () => {
    downstream.respondWith(503);
    await start();

    const answers = await burst(20);

    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.body.status === 'duplicate')).toHaveLength(19);
    const messages = await receiveAll(dlq);
    expect(messages).toHaveLength(1);
    expect(decodeEnvelope(messages[0].body).eventId).toBe(EVENT_ID);
    expect(downstream.calls).toHaveLength(1);
  });

  it('answers a later copy within the window as a duplicate without calling anyone', async () => {
    await start();

    expect((await receiver.post(body)).status).toBe(200);
    const again = await receiver.post(body);

    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate', eventId: EVENT_ID });
    expect(downstream.calls).toHaveLength(1);
  });

  it('shares a failure with the copies that waited, then tries the next copy afresh', async () => {
    downstream.respondWith({ status: 503, delayMs: 500 });
    await start({ dlq: null });

    const answers = await burst(5);
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    expect(downstream.calls).toHaveLength(1);

    downstream.respondWith(200);
    const retried = await receiver.post(body);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ status: 'delivered' });
  });

  it('forwards every copy when the window is 0', async () => {
    await start({ settings: { dedupWindowSeconds: 0 } });

    await receiver.post(body);
    await receiver.post(body);

    expect(downstream.calls).toHaveLength(2);
  });
});

describe('RecentEvents', () => {
  const acknowledged = (result: { outcome: string }) => result.outcome === 'ok';
  const ok = async () => ({ outcome: 'ok' });

  it('forgets an event once the window has passed', async () => {
    let now = 0;
    const recent = new RecentEvents(10, 100, acknowledged, () => now);

    await recent.handle('a', ok);
    now = 9_999;
    expect(await recent.handle('a', ok)).toEqual({ outcome: 'duplicate', of: 'recent' });
    now = 10_001;
    expect(await recent.handle('a', ok)).toEqual({ outcome: 'ok' });
  });

  it('keeps at most maxEvents ids, forgetting the oldest first', async () => {
    const recent = new RecentEvents(600, 3, acknowledged);
    for (const id of ['a', 'b', 'c', 'd']) await recent.handle(id, ok);

    expect(recent.size).toBe(3);
    expect(await recent.handle('a', ok)).toEqual({ outcome: 'ok' });
    expect(await recent.handle('d', ok)).toEqual({ outcome: 'duplicate', of: 'recent' });
  });

  it('passes a thrown error to the first copy and those waiting, and forgets the id', async () => {
    const recent = new RecentEvents(600, 10, acknowledged);
    let fail: (error: Error) => void = () => undefined;
    const first = recent.handle('a', () => new Promise((_resolve, reject) => (fail = reject)));
    const copy = recent.handle('a', ok);

    fail(new Error('boom'));

    await expect(first).rejects.toThrow('boom');
    await expect(copy).rejects.toThrow('boom');
    expect(await recent.handle('a', ok)).toEqual({ outcome: 'ok' });
  });
});
