import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import {
  createSqsClient,
  MessageTooLargeError,
  QueueNotFoundError,
  SqsError,
  SqsQueue,
} from '../src';
import { freshQueues, LOCAL_CREDENTIALS, testSqsClient } from '../../../tools/testing/sqs-kit';

describe('SqsQueue against a local SQS server', () => {
  const client = testSqsClient();

  it('sends with identity attributes and receives them back', async () => {
    const { dlq } = await freshQueues(client);

    await dlq.send({ body: '{"x":1}', eventId: 'evt-1', topic: 'a.b', attempt: 2 });
    const [message] = await dlq.receive({ waitTimeSeconds: 1 });

    expect(message.body).toBe('{"x":1}');
    expect(message.receiveCount).toBe(1);
    expect(message.attributes).toEqual({ event_id: 'evt-1', topic: 'a.b', attempt: '2' });
  });

  it('tells when each message was sent to the queue', async () => {
    const { dlq } = await freshQueues(client);
    const before = Date.now();

    await dlq.send({ body: 'stamped' });
    const [message] = await dlq.receive({ waitTimeSeconds: 1 });

    // SQS stamps whole milliseconds on its own clock; allow a little skew either way.
    expect(message.sentAt).toBeInstanceOf(Date);
    expect(message.sentAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(message.sentAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('creates queues with 14-day retention', async () => {
    const { dlq } = await freshQueues(client);
    const attributes = await dlq.attributes(['MessageRetentionPeriod']);
    expect(attributes.MessageRetentionPeriod).toBe('1209600');
  });

  it('refuses a message larger than the queue limit with a typed error, before calling SQS', async () => {
    const name = `test-small-${Date.now()}`;
    await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const queue = await SqsQueue.resolve(client, name);

    expect(queue.maxMessageBytes).toBe(1024);
    const send = queue.send({ body: 'x'.repeat(1000), eventId: 'evt-big-enough-with-attributes' });
    await expect(send).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(send).rejects.toMatchObject({ maxBytes: 1024, queueName: name });
  });

  it('hides a delayed message until its delay passes', async () => {
    const { dlq } = await freshQueues(client);

    await dlq.send({ body: 'later', delaySeconds: 1 });

    expect(await dlq.receive({ waitTimeSeconds: 0 })).toEqual([]);
    expect((await dlq.depth()).delayed).toBe(1);
    const [message] = await dlq.receive({ waitTimeSeconds: 3 });
    expect(message.body).toBe('later');
  });

  it('deletes in batches and releases with visibility 0', async () => {
    const { dlq } = await freshQueues(client);
    await dlq.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);

    const received = await dlq.receive({ waitTimeSeconds: 1, visibilityTimeoutSeconds: 60 });
    expect(received).toHaveLength(3);
    expect(await dlq.depth()).toEqual({ visible: 0, inFlight: 3, delayed: 0 });

    expect(await dlq.deleteBatch(received.slice(0, 2).map((m) => m.receiptHandle))).toEqual([]);
    await dlq.changeVisibility(received[2].receiptHandle, 0);

    const again = await dlq.receive({ waitTimeSeconds: 1 });
    expect(again.map((m) => m.body)).toEqual([received[2].body]);
    expect(again[0].receiveCount).toBe(2);
  });

  it('ends a long poll early when aborted', async () => {
    const { dlq } = await freshQueues(client);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);

    expect(await dlq.receive({ waitTimeSeconds: 20, signal: controller.signal })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says when a queue does not exist instead of creating it', async () => {
    await expect(SqsQueue.resolve(client, 'test-missing-queue')).rejects.toBeInstanceOf(
      QueueNotFoundError,
    );
  });

  it('wraps an unreachable server in SqsError with the queue name', async () => {
    const { dlqName } = await freshQueues(client);
    const dlq = await SqsQueue.resolve(client, dlqName);
    const unreachable = createSqsClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });

    const error = await SqsQueue.resolve(unreachable, dlqName).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqsError);
    expect(error).toMatchObject({ queueName: dlqName });
    expect(dlq.url).toContain(dlqName);
  });
});
