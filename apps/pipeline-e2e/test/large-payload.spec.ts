import { decodeEnvelope } from '@webhook-dlq/payloads';
import { objectKeys } from '../../../tools/testing/s3-kit';
import { eventually, receiveAll } from '../../../tools/testing/sqs-kit';
import { sampleJson } from '../../../test-fixtures/genesys/samples';
import { Pipeline } from './pipeline-kit';

jest.setTimeout(60_000);

describe('a 5 MiB event through the whole pipeline, by way of S3', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('arrives byte-identical after the downstream was down; nothing is left behind', async () => {
    const { downstream, payloads } = pipeline;
    const sample = sampleJson('eventBridgeEnd');
    const note = 'line with "quotes", ünïcode and a \\ backslash\n'.repeat(110_000);
    const body = Buffer.from(JSON.stringify({ ...sample, note }, null, 2));
    expect(body.length).toBeGreaterThan(5 * 1024 * 1024);
    downstream.respondWith(503);

    const response = await pipeline.post(body);

    expect(response.status).toBe(202);
    const { eventId } = (await response.json()) as { eventId: string };
    expect(await objectKeys(payloads.client, payloads.bucket)).toHaveLength(1);

    // The worker fails at least once while the downstream is down, then it comes back.
    await eventually(
      () => downstream.callsFor(eventId).length,
      (n) => n >= 2,
      20_000,
    );
    downstream.respondWith(200);
    await eventually(
      () => pipeline.handled('delivered').length,
      (n) => n === 1,
      20_000,
    );

    const calls = downstream.callsFor(eventId);
    expect(calls.every((call) => call.body.equals(body))).toBe(true);
    // Consecutive attempt numbers. Under load the receiver may store a large body without
    // its own try (too little of the request budget left), so the count may start at 2.
    const attempts = calls.map((call) => Number(call.headers['x-dlq-attempt']));
    expect(attempts[0]).toBeLessThanOrEqual(2);
    expect(attempts).toEqual(attempts.map((_, index) => attempts[0] + index));
    expect(await receiveAll(pipeline.dlq)).toEqual([]);
    expect(await receiveAll(pipeline.parked)).toEqual([]);
    const left = await eventually(
      () => objectKeys(payloads.client, payloads.bucket),
      (keys) => keys.length === 0,
    );
    expect(left).toEqual([]);
  });

  it('parks a large event the downstream refuses, keeping its body in S3', async () => {
    const { downstream, payloads } = pipeline;
    const sample = sampleJson('eventBridgeStart');
    const body = Buffer.from(JSON.stringify({ ...sample, note: 'x'.repeat(2 * 1024 * 1024) }));
    downstream.respondWith(503);

    expect((await pipeline.post(body)).status).toBe(202);
    downstream.respondWith(422);

    const [parked] = await eventually(
      () => receiveAll(pipeline.parked),
      (messages) => messages.length === 1,
      20_000,
    );
    const envelope = decodeEnvelope(parked.body);
    expect(parked.attributes.park_reason).toBe('permanent');
    expect((await payloads.store.get(envelope.bodyRef!)).equals(body)).toBe(true);
  });
});
