import { normalizeEvent } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { AppProcess } from '../../../tools/testing/app-process';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freePort } from '../../../tools/testing/free-port';
import {
  eventually,
  freshQueues,
  LOCAL_CREDENTIALS,
  receiveAll,
  testSqsClient,
  testSqsEndpoint,
} from '../../../tools/testing/sqs-kit';
import { allSampleRequests } from '../../../test-fixtures/genesys/samples';

const API_KEY = 'pipeline-test-key-0123456789';

describe('the whole pipeline: receiver and worker as processes, local SQS, real downstream', () => {
  let downstream: TestDownstream;
  let receiver: AppProcess;
  let worker: AppProcess;
  let receiverUrl: string;
  let dlq: SqsQueue;

  beforeAll(async () => {
    downstream = await TestDownstream.start();
    const queues = await freshQueues(testSqsClient());
    const { dlqName, parkedName } = queues;
    dlq = queues.dlq;
    const [receiverPort, healthPort] = await Promise.all([freePort(), freePort()]);
    const common = {
      SQS_ENDPOINT: testSqsEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DLQ_QUEUE_NAME: dlqName,
      DOWNSTREAM_URL: downstream.url,
      HOST: '127.0.0.1',
    };

    receiver = AppProcess.start('receiver', {
      ...common,
      PORT: String(receiverPort),
      METRICS_PORT: '0',
      AUTH_API_KEYS: API_KEY,
      FIRST_RETRY_DELAY_SECONDS: '1',
    });
    worker = AppProcess.start('dlq-worker', {
      ...common,
      PARKING_QUEUE_NAME: parkedName,
      HEALTH_PORT: String(healthPort),
      RETRY_BASE_DELAY_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '1',
      WAIT_TIME_SECONDS: '1',
    });
    receiverUrl = `http://127.0.0.1:${receiverPort}`;
    await receiver.waitUntilReady(`${receiverUrl}/readyz`);
    await worker.waitUntilReady(`http://127.0.0.1:${healthPort}/readyz`);
  });

  afterAll(async () => {
    await Promise.all([receiver?.stop(), worker?.stop()]);
    await downstream?.close();
  });

  it('queues every sample while the downstream fails and delivers each exactly once after it recovers', async () => {
    downstream.respondWith(503);
    const eventIds: string[] = [];

    for (const sample of allSampleRequests()) {
      const path = sample.topic ? `/webhooks/genesys/${sample.topic}` : '/webhooks/genesys';
      const response = await fetch(`${receiverUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: sample.body,
      });
      expect(response.status).toBe(202);
      const { eventId } = (await response.json()) as { eventId: string };
      expect(eventId).toBe(
        normalizeEvent({ body: sample.body, contentType: '', routeTopic: sample.topic }).eventId,
      );
      eventIds.push(eventId);
    }

    // Let the worker fail at least once, then recover.
    await eventually(
      () => downstream.calls.length,
      (n) => n >= eventIds.length * 2,
      15_000,
    );
    downstream.respondWith(200);

    await eventually(
      () =>
        worker.logs().filter((l) => l.message === 'dlq message' && l.outcome === 'delivered')
          .length,
      (n) => n === eventIds.length,
      20_000,
    );

    for (const [index, id] of eventIds.entries()) {
      const calls = downstream.callsFor(id);
      const sample = allSampleRequests()[index];
      const successful = worker
        .logs()
        .filter((l) => l.event_id === id && l.outcome === 'delivered');
      expect(successful).toHaveLength(1);
      expect(calls.at(-1)!.body.equals(sample.body)).toBe(true);
      expect(new Set(calls.map((call) => call.headers['idempotency-key']))).toEqual(new Set([id]));
    }
    expect(await receiveAll(dlq)).toEqual([]);
  });

  it('stops both apps cleanly on SIGTERM', async () => {
    expect(await worker.stop()).toBe(0);
    expect(await receiver.stop()).toBe(0);
    expect(worker.logs().some((l) => l.message === 'dlq-worker stopped')).toBe(true);
    expect(receiver.logs().some((l) => l.message === 'receiver stopped')).toBe(true);
  });
});
