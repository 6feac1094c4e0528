import { decodeEnvelope } from '@webhook-dlq/payloads';
import { eventually, receiveAll } from '../../../tools/testing/sqs-kit';
import { allSampleRequests, sampleBytes } from '../../../test-fixtures/genesys/samples';
import { enqueueAsReceiver, variant, WorkerHarness } from './harness';

const sample = sampleBytes('eventBridgeEnd');

// These tests wait on real queues and real delays of a few seconds.
jest.setTimeout(30_000);

describe('dlq-worker delivery guarantees', () => {
  let h: WorkerHarness;

  beforeEach(async () => {
    h = await WorkerHarness.create();
  });

  afterEach(async () => {
    await h.close();
  });

  it('retries a 429 with Retry-After: 2 no sooner than 2 s later', async () => {
    let calls = 0;
    h.downstream.respondWith(() => {
      calls += 1;
      return calls === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    });
    await enqueueAsReceiver(h.dlq, sample);

    h.start({
      policy: {
        maxAttempts: 8,
        maxEventAgeSeconds: 3600,
        baseDelaySeconds: 0,
        maxDelaySeconds: 900,
      },
    });
    await eventually(
      () => h.downstream.calls.length,
      (n) => n === 2,
      15_000,
    );

    const [first, second] = h.downstream.calls;
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000);
    expect(h.handled()[0]).toMatchObject({
      outcome: 'retry_scheduled',
      status_code: 429,
      next_delay_seconds: 2,
    });
  });

  it('uses the Retry-After the receiver recorded for the first worker try', async () => {
    await enqueueAsReceiver(h.dlq, sample, { statusCode: 503, retryAfterSeconds: 120 });
    h.downstream.respondWith(503);

    h.start({
      policy: {
        maxAttempts: 8,
        maxEventAgeSeconds: 3600,
        baseDelaySeconds: 1,
        maxDelaySeconds: 900,
      },
    });
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
    );

    // The worker's own 503 carried no Retry-After, so the backoff decides this one.
    expect(h.handled()[0].next_delay_seconds).toBeLessThanOrEqual(2);
  });

  it('parks a permanent 4xx after exactly one try, with reason and history', async () => {
    h.downstream.respondWith(404);
    const event = await enqueueAsReceiver(h.dlq, sample);

    h.start();
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(h.downstream.callsFor(event.eventId)).toHaveLength(1);
    const [message] = await receiveAll(h.parked);
    expect(message.attributes.park_reason).toBe('permanent');
    expect(
      decodeEnvelope(message.body).attempts.map((a) => [a.attempt, a.outcome, a.statusCode]),
    ).toEqual([
      [1, 'retryable', 503],
      [2, 'permanent', 404],
    ]);
  });

  it('stops receiving while the breaker is open, then delivers everything once the downstream is back', async () => {
    h.downstream.respondWith(503);
    const events = [];
    for (let n = 0; n < 12; n += 1) events.push(await enqueueAsReceiver(h.dlq, variant(sample, n)));

    h.start({
      maxInFlight: 4,
      gate: { breakerMinRequests: 4, breakerErrorPercent: 50, breakerCooldownSeconds: 2 },
    });
    await eventually(
      () => h.worker!.status().breaker,
      (state) => state === 'open',
      10_000,
    );
    await eventually(
      () => h.worker!.status().inFlight,
      (n) => n === 0,
      10_000,
    );

    const callsWhenOpened = h.downstream.calls.length;
    const receivesWhenOpened = h.receiveCalls;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(h.downstream.calls.length).toBe(callsWhenOpened);
    expect(h.receiveCalls).toBe(receivesWhenOpened);

    h.downstream.respondWith(200);
    await eventually(
      () => h.handled().filter((l) => l.outcome === 'delivered').length,
      (n) => n === events.length,
      20_000,
    );
    expect(h.worker!.status().breaker).toBe('closed');
    expect(await receiveAll(h.parked)).toEqual([]);
    expect(
      h.logs.filter((l) => l.message === 'circuit breaker').map((l) => l.breaker_state),
    ).toEqual(expect.arrayContaining(['open', 'half_open', 'closed']));
    expect(await h.metrics.registry.getSingleMetricAsString('dlq_worker_breaker_state')).toContain(
      'dlq_worker_breaker_state 0',
    );
  });

  it('keeps 49 messages flowing past one slow delivery with MAX_IN_FLIGHT 20', async () => {
    const events = [];
    for (let n = 0; n < 50; n += 1) events.push(await enqueueAsReceiver(h.dlq, variant(sample, n)));
    const slowId = events[0].eventId;
    h.downstream.respondWith((call) =>
      call.headers['idempotency-key'] === slowId ? { status: 200, delayMs: 4000 } : { status: 200 },
    );

    h.start({ maxInFlight: 20, downstreamTimeoutMs: 10_000 });
    await eventually(
      () => h.handled().filter((l) => l.event_id !== slowId && l.outcome === 'delivered').length,
      (n) => n === 49,
      15_000,
    );

    expect(h.handled().some((l) => l.event_id === slowId)).toBe(false);
    await eventually(
      () => h.handled().length,
      (n) => n === 50,
      15_000,
    );
  });

  it('keeps a delivery slower than the visibility timeout hidden and delivers it once', async () => {
    h.downstream.respondWith({ status: 200, delayMs: 5000 });
    const event = await enqueueAsReceiver(h.dlq, sample);

    h.start({ visibilityTimeoutSeconds: 2, downstreamTimeoutMs: 20_000 });
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));

    expect(h.downstream.callsFor(event.eventId)).toHaveLength(1);
    expect(h.handled()).toEqual([expect.objectContaining({ outcome: 'delivered' })]);
    expect(await h.dlq.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('holds a message whose notBefore is beyond 900 s without counting a try', async () => {
    const notBefore = new Date(Date.now() + 3600_000).toISOString();
    const event = await enqueueAsReceiver(h.dlq, sample, {}, { envelope: { notBefore } });

    h.start();
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
    );

    expect(h.downstream.calls).toEqual([]);
    expect(h.handled()[0]).toMatchObject({
      outcome: 'held',
      hold_reason: 'not_before',
      event_id: event.eventId,
      attempt: 1,
    });
    expect(Number(h.handled()[0].hold_seconds)).toBeGreaterThan(3500);
    expect(await h.dlq.depth()).toMatchObject({ visible: 0, inFlight: 1 });
  });

  it('sends a delay beyond 900 s as DelaySeconds 900 plus notBefore', async () => {
    h.downstream.respondWith({ status: 503, headers: { 'retry-after': '1200' } });
    await enqueueAsReceiver(h.dlq, sample);

    h.start({
      policy: {
        maxAttempts: 8,
        maxEventAgeSeconds: 86_400,
        baseDelaySeconds: 1,
        maxDelaySeconds: 7200,
      },
    });
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
    );

    expect(h.handled()[0]).toMatchObject({ outcome: 'retry_scheduled', next_delay_seconds: 1200 });
    expect(await h.dlq.depth()).toMatchObject({ delayed: 1 });
  });

  it('deletes a second copy of a delivered event within the window without calling the downstream', async () => {
    const event = await enqueueAsReceiver(h.dlq, sample);
    h.start();
    await eventually(
      () => h.handled().length,
      (n) => n === 1,
    );

    await enqueueAsReceiver(h.dlq, sample);
    await eventually(
      () => h.handled().length,
      (n) => n === 2,
    );

    expect(h.downstream.callsFor(event.eventId)).toHaveLength(1);
    expect(h.handled().map((l) => l.outcome)).toEqual(['delivered', 'duplicate']);
    expect(await h.dlq.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('on stop, finishes the delivery in progress and makes unstarted messages visible at once', async () => {
    h.downstream.respondWith({ status: 200, delayMs: 800 });
    for (let n = 0; n < 5; n += 1) await enqueueAsReceiver(h.dlq, variant(sample, n));

    h.start({ gate: { maxRps: 1 } });
    await eventually(
      () => h.downstream.calls.length,
      (n) => n === 1,
    );
    await eventually(
      () => h.worker!.status().inFlight,
      (n) => n === 5,
    );

    expect(await h.worker!.stop(5000)).toBe(true);

    expect(h.handled().filter((l) => l.outcome === 'delivered')).toHaveLength(1);
    // The receive still waiting at stop may pick released messages up again; it releases them too.
    const held = h.handled().filter((l) => l.outcome === 'held');
    expect(new Set(held.map((l) => l.event_id)).size).toBe(4);
    expect(held.every((l) => l.hold_seconds === 0)).toBe(true);
    expect(await receiveAll(h.dlq)).toHaveLength(4);
    expect(await receiveAll(h.parked)).toEqual([]);
  });

  it('spaces delivery starts to DOWNSTREAM_MAX_RPS', async () => {
    for (let n = 0; n < 5; n += 1) await enqueueAsReceiver(h.dlq, variant(sample, n));

    h.start({ gate: { maxRps: 4 } });
    await eventually(
      () => h.downstream.calls.length,
      (n) => n === 5,
      15_000,
    );

    // Five starts at 4 per second span a second; unlimited they arrive within milliseconds.
    // Arrival times jitter (the first call also opens the connection), so the bound is loose.
    const times = h.downstream.calls.map((call) => call.at);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(500);
  });

  it('exposes counters for what it handled', async () => {
    h.downstream.respondWith(200);
    for (const request of allSampleRequests().slice(0, 2))
      await enqueueAsReceiver(h.dlq, request.body);

    h.start();
    await eventually(
      () => h.handled().length,
      (n) => n === 2,
    );

    const text = await h.metrics.registry.metrics();
    expect(text).toContain('dlq_worker_messages_received_total 2');
    expect(text).toContain('dlq_worker_messages_handled_total{outcome="delivered"} 2');
    expect(text).toContain('dlq_worker_delivery_duration_seconds_count{outcome="delivered"} 2');
  });
});
