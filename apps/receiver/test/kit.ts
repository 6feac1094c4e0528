import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createLogger } from '@webhook-dlq/runtime';
import { createReceiverApp, type ReceiverDeps, type ReceiverSettings } from '../src/app';
import type { DlqSender, PayloadWriter } from '../src/ingest';
import { ReceiverMetrics } from '../src/metrics';

/** An API key the tests send; any scheme can be configured instead. */
export const TEST_API_KEY = 'test-key-0123456789abcdef';

/** Settings for a receiver under test: short deadlines, auth by {@link TEST_API_KEY}. */
export function testSettings(
  downstreamUrl: string,
  overrides: Partial<ReceiverSettings> = {},
): ReceiverSettings {
  return {
    downstreamUrl,
    downstreamTimeoutMs: 2000,
    downstreamHeaders: {},
    firstRetryDelaySeconds: 0,
    sqsSendTimeoutMs: 1500,
    batchLingerMs: 5,
    payloadStoreTimeoutMs: 2000,
    requestBudgetMs: 4000,
    bodyLimitBytes: 10_485_760,
    retryAfterSeconds: 7,
    dedupWindowSeconds: 600,
    dedupMaxEvents: 1000,
    rateLimit: { max: 0, windowSeconds: 60 },
    trustProxy: false,
    auth: {
      apiKeys: [TEST_API_KEY],
      apiKeyHeader: 'x-api-key',
      basicUsers: [],
      hmacSecrets: [],
      disabled: false,
    },
    ...overrides,
  };
}

export interface TestReceiverOptions {
  settings?: Partial<ReceiverSettings>;
  /** `null` for a DLQ that is not resolved yet. */
  dlq: DlqSender | null;
  payloads?: PayloadWriter;
}

/** A receiver app listening on 127.0.0.1, with its log lines and metrics at hand. */
export class TestReceiver {
  readonly lines: string[] = [];
  readonly metrics = new ReceiverMetrics();
  url = '';
  private server: Server | undefined;

  constructor(
    readonly downstreamUrl: string,
    private readonly options: TestReceiverOptions,
  ) {}

  static async start(downstreamUrl: string, options: TestReceiverOptions): Promise<TestReceiver> {
    const receiver = new TestReceiver(downstreamUrl, options);
    const server = receiver.app().listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    receiver.server = server;
    receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** The app itself, for supertest. */
  app(): ReturnType<typeof createReceiverApp> {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => this.lines.push(...chunk.toString().trim().split('\n')));
    const deps: ReceiverDeps = {
      logger: createLogger({ service: 'receiver', level: 'info', stream }),
      metrics: this.metrics,
      dlq: () => this.options.dlq ?? undefined,
      payloads: this.options.payloads,
      settings: testSettings(this.downstreamUrl, this.options.settings),
    };
    return createReceiverApp(deps);
  }

  /** POSTs JSON with the test API key unless `headers` says otherwise. */
  post(
    body: Buffer | string,
    options: { path?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    return fetch(`${this.url}${options.path ?? '/webhooks/genesys'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': TEST_API_KEY,
        ...options.headers,
      },
      body,
    });
  }

  /** The parsed `webhook` lines. */
  webhookLines(): Array<Record<string, unknown>> {
    return this.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === 'webhook');
  }

  async metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = await this.metrics.registry.getSingleMetric(name)?.get();
    const match = metric?.values.find((value) =>
      Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
    );
    return match?.value ?? 0;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
