import type { AddressInfo } from 'node:net';
import { closeHttpServer, ConfigError, createLogger, retryUntilReady } from '@webhook-dlq/runtime';
import { createSqsClient, SqsQueue } from '@webhook-dlq/sqs';
import { createReceiverApp } from './app';
import { loadReceiverConfig } from './config';

async function main(): Promise<void> {
  const config = loadReceiverConfig();
  const logger = createLogger({ service: 'receiver', level: config.LOG_LEVEL });

  let dlq: SqsQueue | undefined;
  const app = createReceiverApp({
    logger,
    dlq: () => dlq,
    settings: {
      downstreamUrl: config.DOWNSTREAM_URL,
      downstreamTimeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
      firstRetryDelaySeconds: config.FIRST_RETRY_DELAY_SECONDS,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      defaultTopic: config.DEFAULT_TOPIC,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    },
  });

  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Answer within EventBridge's 5 s window; a keep-alive longer than a load balancer's.
  server.keepAliveTimeout = 65_000;
  logger.info('receiver listening', {
    address: `http://${config.HOST}:${(server.address() as AddressInfo).port}`,
    webhook_path: '/webhooks/genesys[/<topic>]',
    downstream: new URL(config.DOWNSTREAM_URL).origin,
    dlq_queue: config.DLQ_QUEUE_NAME,
    sqs_endpoint: config.SQS_ENDPOINT ?? 'AWS',
  });

  logger.warn('callers are not authenticated', {
    detail:
      'this receiver accepts any POST to its webhook path; expose it only behind a gateway ' +
      'or network policy that admits Genesys and EventBridge alone',
  });

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
      dlq = queue;
      logger.info('dlq resolved', { dlq_queue: queue.name, max_message_bytes: queue.maxMessageBytes });
    },
    () => undefined,
  );

  const stop = async (signal: string) => {
    logger.info('receiver stopping', { signal });
    shutdown.abort();
    const clean = await closeHttpServer(server, config.SHUTDOWN_GRACE_SECONDS * 1000);
    logger.info('receiver stopped', { finished_in_flight: clean });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'receiver', message })}\n`);
  process.exit(1);
});
