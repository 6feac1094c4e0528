import { decodeEnvelope, envelopeBody } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import type { TestDownstream } from '../../../tools/testing/downstream';
import { eventually, receiveAll } from '../../../tools/testing/sqs-kit';
import { allSampleRequests } from '../../../test-fixtures/genesys/samples';
import { enqueueAsReceiver, type HarnessOverrides, WorkerHarness } from './harness';

describe('dlq-worker against a local SQS server and a real downstream', () => {
  let h: WorkerHarness;
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let parked: SqsQueue;
  let logLines: Array<Record<string, unknown>>;
  const startWorker = (overrides: HarnessOverrides = {}) => h.start(overrides);
  const handledLines = () => h.handled();
  const worker = () => h.worker!;

  beforeEach(async () => {
    h = await WorkerHarness.create();
    ({ downstream, dlq, parked } = h);
    logLines = h.logs;
  });

  afterEach(async () => {
    await h.close();
  });

  it('delivers every queued sample exactly once with its Idempotency-Key, then the DLQ is empty', async () => {
    const events = [];
    for (const sample of allSampleRequests()) {
      events.push(await enqueueAsReceiver(dlq, sample.body, {}, { routeTopic: sample.topic }));
    }

    startWorker();
    await eventually(
      () => handledLines().length,
      (n) => n === events.length,
    );

    for (const event of events) {
      const calls = downstream.callsFor(event.eventId);
      expect(calls).toHaveLength(1);
      expect(calls[0].body.equals(event.body)).toBe(true);
      expect(calls[0].headers).toMatchObject({
        'x-genesys-topic': event.topic,
        'x-dlq-attempt': '2',
      });
    }
    expect(handledLines().every((line) => line.outcome === 'delivered')).toBe(true);
    expect(await dlq.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await receiveAll(parked)).toEqual([]);
  });

  it('re-sends a failed event with its history appended and the backoff as DelaySeconds', async () => {
    downstream.respondWith({ status: 503, headers: { 'retry-after': '1' } });
    const event = await enqueueAsReceiver(dlq, allSampleRequests()[0].body);

    startWorker({
      policy: {
        maxAttempts: 8,
        maxEventAgeSeconds: 3600,
        baseDelaySeconds: 1,
        maxDelaySeconds: 900,
      },
    });
    await eventually(
      () => handledLines().length,
      (n) => n >= 1,
    );
    await worker().stop(5000);

    expect(handledLines()[0]).toMatchObject({
      outcome: 'retry_scheduled',
      next_delay_seconds: 1,
      attempt: 2,
    });
    expect((await dlq.depth()).delayed + (await dlq.depth()).visible).toBe(1);
    const [message] = await eventually(
      () => receiveAll(dlq),
      (all) => all.length === 1,
      5000,
    );
    const envelope = decodeEnvelope(message.body);
    expect(envelope.eventId).toBe(event.eventId);
    expect(envelope.attempts.map((a) => [a.attempt, a.by, a.statusCode])).toEqual([
      [1, 'receiver', 503],
      [2, 'dlq-worker', 503],
    ]);
    expect(message.attributes.attempt).toBe('2');
  });

  it('keeps retrying while the downstream is down and delivers once it recovers', async () => {
    downstream.respondWith(503);
    const event = await enqueueAsReceiver(dlq, allSampleRequests()[1].body);

    startWorker();
    await eventually(
      () => downstream.callsFor(event.eventId).length,
      (n) => n >= 3,
    );
    downstream.respondWith(200);
    await eventually(() => handledLines().some((l) => l.outcome === 'delivered'), Boolean);

    const calls = downstream.callsFor(event.eventId);
    expect(calls.at(-1)!.headers['idempotency-key']).toBe(event.eventId);
    expect(calls.map((call) => call.headers['x-dlq-attempt'])).toEqual(
      calls.map((_call, index) => String(index + 2)),
    );
    expect(
      await eventually(
        () => dlq.depth(),
        (d) => d.visible + d.inFlight + d.delayed === 0,
      ),
    ).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
    });
  });

  it('parks a receiver-recorded 4xx at once, without calling the downstream', async () => {
    const event = await enqueueAsReceiver(dlq, allSampleRequests()[0].body, {
      outcome: 'permanent',
      statusCode: 422,
    });

    startWorker();
    await eventually(
      () => handledLines().length,
      (n) => n === 1,
    );

    expect(downstream.calls).toEqual([]);
    const [message] = await receiveAll(parked);
    expect(message.attributes).toMatchObject({ park_reason: 'permanent', event_id: event.eventId });
    expect(await dlq.depth()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('parks after one try when the downstream answers 4xx, never retrying', async () => {
    downstream.respondWith(400);
    const event = await enqueueAsReceiver(dlq, allSampleRequests()[0].body);

    startWorker();
    await eventually(
      () => handledLines().length,
      (n) => n === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(downstream.callsFor(event.eventId)).toHaveLength(1);
    const [message] = await receiveAll(parked);
    const envelope = decodeEnvelope(message.body);
    expect(message.attributes.park_reason).toBe('permanent');
    expect(envelope.attempts.at(-1)).toMatchObject({
      attempt: 2,
      outcome: 'permanent',
      statusCode: 400,
    });
  });

  it('parks an event with the full history of every attempt once attempts are exhausted', async () => {
    downstream.respondWith(500);
    const event = await enqueueAsReceiver(dlq, allSampleRequests()[2].body);

    startWorker({
      policy: { maxAttempts: 4, maxEventAgeSeconds: 3600, baseDelaySeconds: 0, maxDelaySeconds: 0 },
    });
    await eventually(() => handledLines().some((l) => l.outcome === 'parked'), Boolean);

    expect(downstream.callsFor(event.eventId)).toHaveLength(3);
    const [message] = await receiveAll(parked);
    const envelope = decodeEnvelope(message.body);
    expect(message.attributes).toMatchObject({ park_reason: 'exhausted', attempt: '4' });
    expect(envelope.attempts.map((a) => [a.attempt, a.outcome, a.statusCode, a.by])).toEqual([
      [1, 'retryable', 503, 'receiver'],
      [2, 'retryable', 500, 'dlq-worker'],
      [3, 'retryable', 500, 'dlq-worker'],
      [4, 'retryable', 500, 'dlq-worker'],
    ]);
    expect(envelope.attempts.every((a) => typeof a.durationMs === 'number' && a.at)).toBe(true);
    expect(envelopeBody(envelope).equals(event.body)).toBe(true);
    expect(await dlq.depth()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('parks a message that is not a readable envelope as-is, with the reason', async () => {
    await dlq.send({ body: 'this is not an envelope', eventId: 'odd-1' });
    await dlq.send({ body: JSON.stringify({ schemaVersion: 7, eventId: 'x' }) });

    startWorker();
    await eventually(
      () => handledLines().length,
      (n) => n === 2,
    );

    const messages = await receiveAll(parked);
    expect(messages.map((m) => m.body).sort()).toEqual(
      [JSON.stringify({ schemaVersion: 7, eventId: 'x' }), 'this is not an envelope'].sort(),
    );
    expect(messages.every((m) => m.attributes.park_reason === 'unreadable')).toBe(true);
    expect(messages.find((m) => m.body.startsWith('this'))!.attributes.event_id).toBe('odd-1');
    expect(downstream.calls).toEqual([]);
    expect(await dlq.depth()).toMatchObject({ visible: 0, inFlight: 0 });
  });

  it('leaves a message on the DLQ when it cannot be settled, and logs it as an error', async () => {
    downstream.respondWith(500);
    await enqueueAsReceiver(dlq, allSampleRequests()[0].body);
    const failingParked = { send: () => Promise.reject(new Error('parking queue unavailable')) };

    startWorker({
      resources: { parked: failingParked },
      visibilityTimeoutSeconds: 30,
      policy: { maxAttempts: 2, maxEventAgeSeconds: 3600, baseDelaySeconds: 0, maxDelaySeconds: 0 },
    });
    await eventually(() => logLines.some((l) => l.outcome === 'left_on_queue'), Boolean);
    await worker().stop(5000);

    expect(logLines.find((l) => l.outcome === 'left_on_queue')).toMatchObject({
      level: 'error',
      error: expect.stringContaining('parking queue unavailable'),
    });
    expect(await dlq.depth()).toMatchObject({ inFlight: 1 });
  });

  it('finishes a delivery in progress when stopped', async () => {
    downstream.respondWith({ status: 200, delayMs: 500 });
    await enqueueAsReceiver(dlq, allSampleRequests()[0].body);

    startWorker();
    await eventually(
      () => downstream.calls.length,
      (n) => n === 1,
    );
    const finished = await worker().stop(5000);

    expect(finished).toBe(true);
    expect(handledLines()).toEqual([expect.objectContaining({ outcome: 'delivered' })]);
    expect(await dlq.depth()).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
