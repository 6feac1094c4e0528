import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { decodeEnvelope } from '@webhook-dlq/payloads';
import type { S3PayloadStore } from '@webhook-dlq/payload-store';
import { freshPayloadStore, objectKeys } from '../../../tools/testing/s3-kit';
import { eventually, receiveAll } from '../../../tools/testing/sqs-kit';
import { sampleJson } from '../../../test-fixtures/genesys/samples';
import { enqueueAsReceiver, WorkerHarness } from './harness';

jest.setTimeout(30_000);

/** An EventBridge sample with a 3 MiB note, too large for any queue message. */
function largeBody(tag: string): Buffer {
  const sample = sampleJson('eventBridgeEnd');
  const note = 'ü"x'.repeat(1 << 20);
  return Buffer.from(JSON.stringify({ ...sample, id: `large-${tag}`, note }));
}

describe('dlq-worker: events whose body is in S3', () => {
  let h: WorkerHarness;
  let store: S3PayloadStore;
  let bucket: string;
  let s3: Awaited<ReturnType<typeof freshPayloadStore>>['client'];

  /** Stores the body in S3 and a pointer on the DLQ, as the receiver does. */
  async function enqueueLarge(tag: string) {
    const body = largeBody(tag);
    const ref = await store.put(body);
    const pointer = { envelope: { body: '', bodyRef: ref } };
    const event = await enqueueAsReceiver(h.dlq, body, {}, pointer);
    return { body, ref, event };
  }

  beforeEach(async () => {
    h = await WorkerHarness.create();
    ({ store, bucket, client: s3 } = await freshPayloadStore());
  });

  afterEach(async () => {
    await h.close();
  });

  it('fetches the body, delivers it byte-identical, then deletes message and object', async () => {
    const { body, event } = await enqueueLarge('a');

    h.start({ resources: { payloads: store } });
    await eventually(() => h.handled().length, (n) => n === 1);

    expect(h.handled()[0]).toMatchObject({ outcome: 'delivered', event_id: event.eventId });
    const [call] = h.downstream.callsFor(event.eventId);
    expect(call.body.equals(body)).toBe(true);
    expect(call.headers['content-type']).toBe('application/json');
    expect(await objectKeys(s3, bucket)).toEqual([]);
    expect(await receiveAll(h.dlq)).toEqual([]);
  });

  it('keeps the object while the event waits for a retry', async () => {
    h.downstream.respondWith(503);
    const { ref } = await enqueueLarge('b');

    h.start({ resources: { payloads: store }, policy: retryLater });
    await eventually(() => h.handled().length, (n) => n === 1);
    await h.worker?.stop(5000);

    expect(h.handled()[0]).toMatchObject({ outcome: 'retry_scheduled' });
    // The worker has stopped; the re-sent copy becomes visible after its 1 s delay.
    const [message] = await eventually(() => receiveAll(h.dlq), (all) => all.length === 1);
    expect(decodeEnvelope(message.body).bodyRef).toEqual(ref);
    expect(await objectKeys(s3, bucket)).toEqual([ref.key]);
  });

  it('parks a refused event with its pointer and keeps the object for a person', async () => {
    h.downstream.respondWith(422);
    const { ref, body } = await enqueueLarge('c');

    h.start({ resources: { payloads: store } });
    await eventually(() => h.handled().length, (n) => n === 1);

    const [parked] = await receiveAll(h.parked);
    expect(parked.attributes.park_reason).toBe('permanent');
    expect(decodeEnvelope(parked.body).bodyRef).toEqual(ref);
    expect((await store.get(ref)).equals(body)).toBe(true);
  });

  it('parks the message as unreadable when its object is gone, calling no one', async () => {
    const { ref, event } = await enqueueLarge('d');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: ref.key }));

    h.start({ resources: { payloads: store } });
    await eventually(() => h.handled().length, (n) => n === 1);

    expect(h.downstream.calls).toEqual([]);
    const [parked] = await receiveAll(h.parked);
    expect(parked.attributes).toMatchObject({
      park_reason: 'unreadable',
      event_id: event.eventId,
    });
    expect(parked.attributes.park_error).toMatch(/is not in bucket/);
    expect(decodeEnvelope(parked.body).bodyRef).toEqual(ref);
  });

  it('leaves the message on the DLQ when no payload store is configured', async () => {
    await enqueueLarge('e');

    h.start({ visibilityTimeoutSeconds: 30 });
    await eventually(
      () => h.logs.filter((line) => line.outcome === 'left_on_queue').length,
      (n) => n === 1,
    );

    expect(h.downstream.calls).toEqual([]);
    expect(String(h.logs.find((line) => line.outcome === 'left_on_queue')?.error)).toMatch(
      /PAYLOAD_BUCKET/,
    );
  });

  it('sends DOWNSTREAM_HEADERS with each try and never logs them', async () => {
    const body = Buffer.from(JSON.stringify(sampleJson('eventBridgeStart')));
    const event = await enqueueAsReceiver(h.dlq, body);

    h.start({ downstreamHeaders: { authorization: 'Bearer worker-secret-token' } });
    await eventually(() => h.handled().length, (n) => n === 1);

    expect(h.downstream.callsFor(event.eventId)[0].headers.authorization).toBe(
      'Bearer worker-secret-token',
    );
    expect(JSON.stringify(h.logs)).not.toContain('worker-secret-token');
  });
});

/** Retries wait 1 s, long enough for the test to stop the worker first. */
const retryLater = {
  maxAttempts: 8,
  maxEventAgeSeconds: 3600,
  baseDelaySeconds: 1,
  maxDelaySeconds: 1,
};
