import type { SqsQueue } from '@webhook-dlq/sqs';
import { AppProcess } from '../../../tools/testing/app-process';
import { TestDownstream } from '../../../tools/testing/downstream';
import { freePort } from '../../../tools/testing/free-port';
import { freshPayloadStore } from '../../../tools/testing/s3-kit';
import {
  freshQueues,
  LOCAL_CREDENTIALS,
  testSqsClient,
  testSqsEndpoint,
} from '../../../tools/testing/sqs-kit';

export const API_KEY = 'e2e-test-key-0123456789abcdef';

/**
 * The built receiver and worker as processes, on fresh queues and a fresh payload bucket of
 * the local server (which speaks S3 too), in front of a real downstream.
 */
export class Pipeline {
  private constructor(
    readonly receiver: AppProcess,
    readonly worker: AppProcess,
    readonly receiverUrl: string,
    readonly downstream: TestDownstream,
    readonly dlq: SqsQueue,
    readonly parked: SqsQueue,
    readonly payloads: Awaited<ReturnType<typeof freshPayloadStore>>,
  ) {}

  static async start(
    extra: { receiver?: Record<string, string>; worker?: Record<string, string> } = {},
  ) {
    const downstream = await TestDownstream.start();
    const queues = await freshQueues(testSqsClient());
    const payloads = await freshPayloadStore();
    const [receiverPort, healthPort] = await Promise.all([freePort(), freePort()]);
    const common = {
      SQS_ENDPOINT: testSqsEndpoint(),
      S3_ENDPOINT: testSqsEndpoint(),
      PAYLOAD_BUCKET: payloads.bucket,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DLQ_QUEUE_NAME: queues.dlqName,
      DOWNSTREAM_URL: downstream.url,
      HOST: '127.0.0.1',
    };
    const receiver = AppProcess.start('receiver', {
      ...common,
      PORT: String(receiverPort),
      METRICS_PORT: '0',
      AUTH_API_KEYS: API_KEY,
      FIRST_RETRY_DELAY_SECONDS: '1',
      ...extra.receiver,
    });
    const worker = AppProcess.start('dlq-worker', {
      ...common,
      PARKING_QUEUE_NAME: queues.parkedName,
      HEALTH_PORT: String(healthPort),
      RETRY_BASE_DELAY_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '1',
      WAIT_TIME_SECONDS: '1',
      ...extra.worker,
    });
    const receiverUrl = `http://127.0.0.1:${receiverPort}`;
    const pipeline = new Pipeline(
      receiver,
      worker,
      receiverUrl,
      downstream,
      queues.dlq,
      queues.parked,
      payloads,
    );
    await receiver.waitUntilReady(`${receiverUrl}/readyz`);
    await worker.waitUntilReady(`http://127.0.0.1:${healthPort}/readyz`);
    return pipeline;
  }

  /** POSTs to the webhook with the test API key unless `headers` replace it. */
  post(body: Buffer | string, path = '/webhooks/genesys', headers: Record<string, string> = {}) {
    return fetch(`${this.receiverUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, ...headers },
      body,
    });
  }

  /** The worker's `dlq message` lines with this outcome. */
  handled(outcome: string): Array<Record<string, unknown>> {
    return this.worker.logs().filter((l) => l.message === 'dlq message' && l.outcome === outcome);
  }

  async stop(): Promise<void> {
    await Promise.all([this.receiver.stop(), this.worker.stop()]);
    await this.downstream.close();
  }
}
