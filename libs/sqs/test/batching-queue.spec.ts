import { BatchingQueue, MessageTooLargeError, ReceiptExpiredError, type SqsQueue } from '../src';
import { freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';

describe('BatchingQueue against a local SQS server', () => {
  const client = testSqsClient();

  it('stores, releases and deletes many single requests through batch calls', async () => {
    const { dlq } = await freshQueues(client);
    const batching = new BatchingQueue(dlq);

    await Promise.all(
      Array.from({ length: 23 }, (_, i) => batching.send({ body: `m${i}`, eventId: `e${i}` })),
    );
    const received = await receiveAll(dlq);
    expect(received.map((m) => m.body).sort()).toEqual(
      Array.from({ length: 23 }, (_, i) => `m${i}`).sort(),
    );

    await Promise.all(
      received.slice(0, 3).map((m) => batching.changeVisibility(m.receiptHandle, 0)),
    );
    await Promise.all(received.slice(3).map((m) => batching.delete(m.receiptHandle)));

    const again = await receiveAll(dlq);
    expect(again).toHaveLength(3);
    await Promise.all(again.map((m) => batching.delete(m.receiptHandle)));
    expect(await dlq.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('refuses a message too large for the queue without failing its neighbours', async () => {
    const { dlq } = await freshQueues(client);
    const batching = new BatchingQueue(dlq);

    const outcomes = await Promise.allSettled([
      batching.send({ body: 'small' }),
      Promise.resolve().then(() => batching.send({ body: 'x'.repeat(dlq.maxMessageBytes + 1) })),
    ]);

    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: expect.any(MessageTooLargeError),
    });
  });
});

describe('BatchingQueue entry failures', () => {
  // The local server accepts any receipt handle, so SQS's per-entry refusals are played by a
  // stand-in queue here; the calls around them are the real code.
  function queueFailing(failure: { code: string; senderFault: boolean; error: string }) {
    let calls = 0;
    const queue = {
      name: 'stand-in',
      maxMessageBytes: 1024,
      assertFits: () => undefined,
      deleteBatch: async (handles: string[]) => {
        calls += 1;
        return calls === 1
          ? handles.map((receiptHandle, index) => ({ ...failure, index, receiptHandle }))
          : [];
      },
      calls: () => calls,
    };
    return queue;
  }

  it('reports an expired receipt as a possible duplicate and does not retry it', async () => {
    const queue = queueFailing({
      code: 'ReceiptHandleIsInvalid',
      senderFault: true,
      error: 'ReceiptHandleIsInvalid: The receipt handle has expired.',
    });
    const batching = new BatchingQueue(queue as unknown as SqsQueue);

    const error = await batching.delete('old-handle').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReceiptExpiredError);
    expect(queue.calls()).toBe(1);
  });

  it('retries an entry SQS failed on its own side', async () => {
    const queue = queueFailing({
      code: 'InternalError',
      senderFault: false,
      error: 'InternalError',
    });
    const batching = new BatchingQueue(queue as unknown as SqsQueue);

    await batching.delete('handle');

    expect(queue.calls()).toBe(2);
  });
});
