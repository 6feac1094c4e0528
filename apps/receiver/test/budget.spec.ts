import { decodeEnvelope } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';
import { TestReceiver } from './kit';

const body = sampleBytes('eventBridgeEnd');

describe('receiver: the request budget', () => {
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

  it('aborts a hanging downstream, queues the event and answers 202 inside the budget', async () => {
    downstream.respondWith({ status: 200, delayMs: 10_000 });
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { requestBudgetMs: 1000, sqsSendTimeoutMs: 700, downstreamTimeoutMs: 3000 },
    });

    const started = performance.now();
    const response = await receiver.post(body);
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(202);
    // The try gets about 1000 - 700 - 5 ms and storing a few more: the answer comes at about
    // a third of the budget, so the bound holds on a busy machine.
    expect(elapsedMs).toBeLessThan(1000);
    const [message] = await receiveAll(dlq);
    const [attempt] = decodeEnvelope(message.body).attempts;
    expect(attempt.outcome).toBe('retryable');
    const triedMs = Number(/no answer within (\d+) ms/.exec(attempt.error ?? '')?.[1]);
    expect(triedMs).toBeGreaterThan(0);
    expect(triedMs).toBeLessThanOrEqual(295);
  });

  it('stores at once, without a try, when storing would take all the budget left', async () => {
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { requestBudgetMs: 500, sqsSendTimeoutMs: 480, batchLingerMs: 5 },
    });

    const response = await receiver.post(body);

    expect(response.status).toBe(202);
    expect(downstream.calls).toEqual([]);
    const [message] = await receiveAll(dlq);
    expect(decodeEnvelope(message.body).attempts).toEqual([]);
    expect(message.attributes.attempt).toBeUndefined();
  });

  it('gives the downstream at most DOWNSTREAM_TIMEOUT_MS however large the budget', async () => {
    downstream.respondWith({ status: 200, delayMs: 10_000 });
    receiver = await TestReceiver.start(downstream.url, {
      dlq,
      settings: { requestBudgetMs: 4000, downstreamTimeoutMs: 200 },
    });

    expect((await receiver.post(body)).status).toBe(202);
    const [message] = await receiveAll(dlq);
    expect(decodeEnvelope(message.body).attempts[0].error).toBe('no answer within 200 ms');
  });
});
