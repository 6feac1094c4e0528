import { createHash } from 'node:crypto';
import { decodeEnvelope } from '@webhook-dlq/payloads';
import { S3PayloadStore } from '@webhook-dlq/payload-store';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freshPayloadStore, objectKeys, testS3Client } from '../../../tools/testing/s3-kit';
import { startSqsServer } from '../../../tools/testing/sqs-server-process';
import { freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import { sampleJson } from '../../../test-fixtures/genesys/samples';
import { TestReceiver } from './kit';

/** The EventBridge sample, padded to exactly `bytes` with a note full of quotes to escape. */
function largeEvent(bytes: number): Buffer {
  const sample = sampleJson('eventBridgeEnd');
  const base = Buffer.byteLength(JSON.stringify({ ...sample, note: '' }));
  const unit = 'a "quoted" line\n';
  const note = unit.repeat(Math.ceil(bytes / unit.length));
  const text = Buffer.from(JSON.stringify({ ...sample, note }));
  // Cut the note back, keeping the JSON whole: its last 2 bytes close the string and object.
  const head = text
    .subarray(0, bytes - 2)
    .toString('utf8')
    .replace(/\\$/, ' ');
  const body = Buffer.from(`${head}"}`);
  if (body.length !== bytes || bytes < base) throw new Error(`cannot make ${bytes} bytes`);
  return body;
}

describe('receiver: bodies too large for a queue message', () => {
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let receiver: TestReceiver;

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    downstream.respondWith(503);
    dlq = (await freshQueues(testSqsClient())).dlq;
  });

  afterEach(async () => {
    await receiver.close();
    await downstream.close();
  });

  it('stores a 5 MiB body in S3 byte-identical and a pointer on the DLQ', async () => {
    const { store, bucket, client } = await freshPayloadStore();
    receiver = await TestReceiver.start(downstream.url, { dlq, payloads: store });
    const body = largeEvent(5 * 1024 * 1024);

    const response = await receiver.post(body);

    expect(response.status).toBe(202);
    const [message] = await receiveAll(dlq);
    const envelope = decodeEnvelope(message.body);
    expect(JSON.parse(message.body)).not.toHaveProperty('body');
    expect(envelope.bodyRef).toEqual({
      bucket,
      key: expect.stringMatching(/^payloads\//),
      sizeBytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    expect((await store.get(envelope.bodyRef!)).equals(body)).toBe(true);
    expect(envelope.attempts[0]).toMatchObject({ attempt: 1, statusCode: 503 });
    expect(await objectKeys(client, bucket)).toEqual([envelope.bodyRef!.key]);
    expect(await receiver.metricValue('receiver_payloads_offloaded_total')).toBe(1);
  });

  it('accepts a body of 10 MiB, the default limit, and refuses one byte more', async () => {
    const { store } = await freshPayloadStore();
    receiver = await TestReceiver.start(downstream.url, { dlq, payloads: store });

    const atLimit = await receiver.post(largeEvent(10 * 1024 * 1024));
    const over = await receiver.post(largeEvent(10 * 1024 * 1024 + 1));

    expect(atLimit.status).toBe(202);
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ error: 'body_too_large' });
  });

  it('keeps a body that fits inside the message, with nothing in S3', async () => {
    const { store, bucket, client } = await freshPayloadStore();
    receiver = await TestReceiver.start(downstream.url, { dlq, payloads: store });
    const body = largeEvent(200 * 1024);

    expect((await receiver.post(body)).status).toBe(202);

    const [message] = await receiveAll(dlq);
    expect(Buffer.from(decodeEnvelope(message.body).body).equals(body)).toBe(true);
    expect(await objectKeys(client, bucket)).toEqual([]);
  });

  it('delivers a large body straight to a healthy downstream, with nothing stored', async () => {
    const { store, bucket, client } = await freshPayloadStore();
    downstream.respondWith(200);
    receiver = await TestReceiver.start(downstream.url, { dlq, payloads: store });
    const body = largeEvent(3 * 1024 * 1024);

    expect((await receiver.post(body)).status).toBe(200);

    expect(downstream.calls[0].body.equals(body)).toBe(true);
    expect(await objectKeys(client, bucket)).toEqual([]);
    expect(await receiveAll(dlq)).toEqual([]);
  });

  it('answers 503 and stores nothing when S3 cannot be reached', async () => {
    const server = await startSqsServer();
    const unreachable = new S3PayloadStore(testS3Client(server.endpoint), {
      bucket: 'gone',
      timeoutMs: 1000,
    });
    await server.stop();
    receiver = await TestReceiver.start(downstream.url, { dlq, payloads: unreachable });

    const response = await receiver.post(largeEvent(2 * 1024 * 1024));

    expect(response.status).toBe(503);
    expect(await receiveAll(dlq)).toEqual([]);
    expect(
      await receiver.metricValue('receiver_dlq_send_failures_total', { stage: 'payload_store' }),
    ).toBe(1);
  });

  it('answers 413 when no payload bucket is configured', async () => {
    receiver = await TestReceiver.start(downstream.url, { dlq });

    const response = await receiver.post(largeEvent(2 * 1024 * 1024));

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'envelope_too_large' });
    expect(await receiveAll(dlq)).toEqual([]);
  });
});
