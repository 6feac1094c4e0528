import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { createMetricsServer } from '../src/metrics';
import { TestDownstream } from '../../../tools/testing/downstream';
import { eventually, freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';
import { TestReceiver } from './kit';

const body = sampleBytes('eventBridgeEnd');

/** The sample with its own id. */
function variant(n: number): string {
  const sample = JSON.parse(body.toString('utf8')) as { id: string };
  return JSON.stringify({ ...sample, id: `${sample.id}-${n}` });
}

describe('receiver: limits, headers and metrics', () => {
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let receiver: TestReceiver;

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    dlq = (await freshQueues(testSqsClient())).dlq;
  });

  afterEach(async () => {
    await receiver.close();
    await downstream.close();
  });

  it('answers 429 with Retry-After past the rate limit, forwarding nothing', async () => {
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { rateLimit: { max: 3, windowSeconds: 60 } },
    });

    const statuses: number[] = [];
    for (let n = 0; n < 3; n += 1) statuses.push((await receiver.post(variant(n))).status);
    const limited = await receiver.post(variant(3));

    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    expect(downstream.calls).toHaveLength(3);
    const limitedCount = { outcome: 'rate_limited' };
    expect(await receiver.metricValue('receiver_requests_total', limitedCount)).toBe(1);
  });

  it('counts unauthenticated requests against the limit too', async () => {
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { rateLimit: { max: 2, windowSeconds: 60 } },
    });
    const stranger = { headers: { 'x-api-key': 'guess' } };

    const statuses = [];
    for (let n = 0; n < 3; n += 1) statuses.push((await receiver.post(body, stranger)).status);

    expect(statuses).toEqual([401, 401, 429]);
  });

  it('has no rate limit by default', async () => {
    receiver = await TestReceiver.start(downstream.url, { dlq });
    for (let n = 0; n < 30; n += 1) expect((await receiver.post(variant(n))).status).toBe(200);
  });

  it('sets helmet headers on every answer', async () => {
    receiver = await TestReceiver.start(downstream.url, { dlq });

    const response = await receiver.post(body);

    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('sends DOWNSTREAM_HEADERS with every try and never logs their values', async () => {
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { downstreamHeaders: { authorization: 'Bearer downstream-secret-token' } },
    });

    await receiver.post(body);

    expect(downstream.calls[0].headers.authorization).toBe('Bearer downstream-secret-token');
    await eventually(
      () => receiver.webhookLines(),
      (lines) => lines.length > 0,
    );
    expect(receiver.lines.join('\n')).not.toContain('downstream-secret-token');
  });

  it('serves /metrics on its own server, not on the public port', async () => {
    receiver = await TestReceiver.start(downstream.url, { dlq });
    const server: Server = createMetricsServer(receiver.metrics.registry).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

    try {
      await receiver.post(body);
      downstream.respondWith(503);
      await receiver.post(variant(1));
      await receiver.post(body, { headers: { 'x-api-key': 'guess' } });

      const text = await eventually(
        () => fetch(metricsUrl).then((response) => response.text()),
        (metrics) => metrics.includes('outcome="unauthorized"'),
      );
      expect(text).toMatch(/receiver_requests_total\{outcome="delivered"\} 1/);
      expect(text).toMatch(/receiver_requests_total\{outcome="queued"\} 1/);
      expect(text).toMatch(/receiver_auth_failures_total\{reason="invalid"\} 1/);
      expect(text).toMatch(/receiver_ack_duration_seconds_bucket\{le="0.5",outcome="delivered"\}/);
      expect(text).toMatch(/receiver_downstream_duration_seconds_count\{outcome="retryable"\} 1/);
      expect(text).toContain('receiver_dlq_send_failures_total');
      expect(text).toContain('receiver_duplicates_total');
      expect((await fetch(`${receiver.url}/metrics`)).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
