import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createS3Client, S3PayloadStore } from '@webhook-dlq/payload-store';
import {
  closeHttpServer,
  ConfigError,
  createLogger,
  describeError,
  type Logger,
  retryUntilReady,
} from '@webhook-dlq/runtime';
import { createSqsClient, SqsQueue } from '@webhook-dlq/sqs';
import { createReceiverApp } from './app';
import { Authenticator } from './auth';
import { loadReceiverConfig, type ReceiverConfig } from './config';
import { coalescingDlq } from './dlq';
import type { DlqSender } from './ingest';
import { createMetricsServer, ReceiverMetrics } from './metrics';

async function main(): Promise<void> {
  const config = loadReceiverConfig();
  const secrets = [
    ...new Authenticator(config.auth).secrets(),
    ...Object.values(config.DOWNSTREAM_HEADERS),
  ];
  const logger = createLogger({ service: 'receiver', level: config.LOG_LEVEL, secrets });
  const metrics = new ReceiverMetrics({ processMetrics: true });

  const payloads = config.PAYLOAD_BUCKET
    ? new S3PayloadStore(
        createS3Client({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT }),
        {
          bucket: config.PAYLOAD_BUCKET,
          prefix: config.PAYLOAD_PREFIX,
          timeoutMs: config.PAYLOAD_STORE_TIMEOUT_MS,
        },
      )
    : undefined;

  let dlq: (DlqSender & { flush(): Promise<void> }) | undefined;
  const app = createReceiverApp({
    logger,
    metrics,
    dlq: () => dlq,
    payloads,
    settings: {
      downstreamUrl: config.DOWNSTREAM_URL,
      downstreamTimeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
      downstreamHeaders: config.DOWNSTREAM_HEADERS,
      firstRetryDelaySeconds: config.FIRST_RETRY_DELAY_SECONDS,
      sqsSendTimeoutMs: config.SQS_SEND_TIMEOUT_MS,
      batchLingerMs: config.BATCH_LINGER_MS,
      payloadStoreTimeoutMs: config.PAYLOAD_STORE_TIMEOUT_MS,
      requestBudgetMs: config.REQUEST_BUDGET_MS,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      defaultTopic: config.DEFAULT_TOPIC,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      dedupWindowSeconds: config.DEDUP_WINDOW_SECONDS,
      dedupMaxEvents: config.DEDUP_MAX_EVENTS,
      rateLimit: { max: config.RATE_LIMIT_MAX, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS },
      trustProxy: config.trustProxy,
      auth: config.auth,
    },
  });

  const server = await listen(app.listen(config.PORT, config.HOST));
  // Answer within EventBridge's 5 s window; a keep-alive longer than a load balancer's.
  server.keepAliveTimeout = 65_000;
  const metricsServer = await listen(
    createMetricsServer(metrics.registry).listen(config.METRICS_PORT, config.HOST),
  );
  logger.info('receiver listening', {
    listen_url: `http://${config.HOST}:${portOf(server)}`,
    metrics_url: `http://${config.HOST}:${portOf(metricsServer)}/metrics`,
    webhook_path: '/webhooks/genesys[/<topic>]',
    downstream: new URL(config.DOWNSTREAM_URL).origin,
    downstream_header_names: Object.keys(config.DOWNSTREAM_HEADERS),
    dlq_queue: config.DLQ_QUEUE_NAME,
    sqs_endpoint: config.SQS_ENDPOINT ?? 'AWS',
    payload_bucket: config.PAYLOAD_BUCKET || null,
    request_budget_ms: config.REQUEST_BUDGET_MS,
    auth_schemes: schemesOf(config),
    dedup_window_seconds: config.DEDUP_WINDOW_SECONDS,
    rate_limit: config.RATE_LIMIT_MAX
      ? `${config.RATE_LIMIT_MAX} per ${config.RATE_LIMIT_WINDOW_SECONDS} s`
      : 'off',
  });
  warnAboutSettings(config, logger);

  const shutdown = new AbortController();
  const client = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  retryUntilReady(
    `queue ${config.DLQ_QUEUE_NAME}`,
    () =>
      SqsQueue.resolve(client, config.DLQ_QUEUE_NAME, {
        logger,
        sendTimeoutMs: config.SQS_SEND_TIMEOUT_MS,
      }),
    logger,
    { signal: shutdown.signal },
  ).then(
    (queue) => {
      dlq = coalescingDlq(queue, config.BATCH_LINGER_MS);
      logger.info('dlq resolved', {
        dlq_queue: queue.name,
        max_message_bytes: queue.maxMessageBytes,
      });
    },
    () => undefined,
  );

  const stop = async (signal: string) => {
    logger.info('receiver stopping', { signal });
    shutdown.abort();
    const clean = await closeHttpServer(server, config.SHUTDOWN_GRACE_SECONDS * 1000);
    await dlq?.flush();
    await closeHttpServer(metricsServer, 1000);
    logger.info('receiver stopped', { finished_in_flight: clean });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Known weaknesses of this configuration, said once where an operator will see them. */
function warnAboutSettings(config: ReceiverConfig, logger: Logger): void {
  if (config.auth.disabled) {
    logger.warn('callers are not authenticated', {
      reason:
        'AUTH_DISABLED=true: any POST to the webhook path is accepted; set AUTH_API_KEYS, ' +
        'AUTH_BASIC_USERS or AUTH_HMAC_SECRETS before exposing this receiver',
    });
  }
  if (config.auth.apiKeys.some((key) => key.length < 16)) {
    logger.warn('short API key', { reason: 'an AUTH_API_KEYS entry is under 16 characters' });
  }
  if (!config.PAYLOAD_BUCKET) {
    logger.warn('no payload bucket', {
      reason:
        'PAYLOAD_BUCKET is not set: an event too large for a queue message is refused with ' +
        '413 when the downstream fails',
    });
  }
}

function schemesOf(config: ReceiverConfig): string[] | 'disabled' {
  if (config.auth.disabled) return 'disabled';
  const schemes: string[] = [];
  if (config.auth.apiKeys.length > 0) schemes.push(`api_key (${config.auth.apiKeyHeader}, bearer)`);
  if (config.auth.basicUsers.length > 0) schemes.push('basic');
  if (config.auth.hmacSecrets.length > 0) schemes.push('hmac_sha256');
  return schemes;
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : describeError(error);
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'receiver', message })}\n`);
  process.exit(1);
});
