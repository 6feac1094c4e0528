import type { AddressInfo } from 'node:net';
import { createS3Client, S3PayloadStore } from '@webhook-dlq/payload-store';
import {
  closeHttpServer,
  ConfigError,
  createLogger,
  describeError,
  retryUntilReady,
} from '@webhook-dlq/runtime';
import { BatchingQueue, createSqsClient, SqsQueue } from '@webhook-dlq/sqs';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { DownstreamGate } from './downstream-gate';
import { createHealthServer } from './health-server';
import { WorkerMetrics } from './metrics';
import { DlqWorker } from './worker';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({
    service: 'dlq-worker',
    level: config.LOG_LEVEL,
    secrets: Object.values(config.DOWNSTREAM_HEADERS),
  });
  const metrics = new WorkerMetrics();

  // Set once both queues are resolved; health and shutdown read it before that too.
  const running: { worker?: DlqWorker } = {};
  const health = createHealthServer(
    () => ({ queuesResolved: running.worker !== undefined, ...running.worker?.status() }),
    metrics.registry,
  );
  await new Promise<void>((resolve, reject) => {
    health.once('error', reject);
    health.listen(config.HEALTH_PORT, config.HOST, resolve);
  });

  const shutdown = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info('dlq-worker stopping', {
        signal,
        in_flight: running.worker?.status().inFlight ?? 0,
      });
      shutdown.abort();
      const finished = (await running.worker?.stop(config.SHUTDOWN_GRACE_SECONDS * 1000)) ?? true;
      await closeHttpServer(health, 1000);
      logger.info('dlq-worker stopped', { finished_in_flight: finished });
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const client = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const resolve = (name: string) =>
    retryUntilReady(`queue ${name}`, () => SqsQueue.resolve(client, name, { logger }), logger, {
      signal: shutdown.signal,
    });
  let dlq: SqsQueue;
  let parked: SqsQueue;
  try {
    [dlq, parked] = await Promise.all([
      resolve(config.DLQ_QUEUE_NAME),
      resolve(config.PARKING_QUEUE_NAME),
    ]);
  } catch (error) {
    if (shutdown.signal.aborted) return;
    throw error;
  }

  const batching = { lingerMs: config.BATCH_LINGER_MS };
  const gate = new DownstreamGate({
    maxRps: config.DOWNSTREAM_MAX_RPS,
    breakerErrorPercent: config.BREAKER_ERROR_PERCENT,
    breakerMinRequests: config.BREAKER_MIN_REQUESTS,
    breakerWindowSeconds: config.BREAKER_WINDOW_SECONDS,
    breakerCooldownSeconds: config.BREAKER_COOLDOWN_SECONDS,
  });
  const worker = new DlqWorker(
    {
      downstreamUrl: config.DOWNSTREAM_URL,
      downstreamTimeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
      downstreamHeaders: config.DOWNSTREAM_HEADERS,
      maxInFlight: config.MAX_IN_FLIGHT,
      visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
      waitTimeSeconds: config.WAIT_TIME_SECONDS,
      dedupWindowSeconds: config.DEDUP_WINDOW_SECONDS,
      policy: {
        maxAttempts: config.MAX_ATTEMPTS,
        maxEventAgeSeconds: config.MAX_EVENT_AGE_SECONDS,
        baseDelaySeconds: config.RETRY_BASE_DELAY_SECONDS,
        maxDelaySeconds: config.RETRY_MAX_DELAY_SECONDS,
      },
    },
    {
      source: dlq,
      dlq: new BatchingQueue(dlq, batching),
      parked: new BatchingQueue(parked, batching),
      gate,
      metrics,
      logger,
      payloads: payloadStoreOf(config),
    },
  );
  running.worker = worker;
  worker.start();
  logger.info('dlq-worker polling', {
    dlq_queue: dlq.name,
    parking_queue: parked.name,
    downstream: new URL(config.DOWNSTREAM_URL).origin,
    max_in_flight: config.MAX_IN_FLIGHT,
    max_attempts: config.MAX_ATTEMPTS,
    downstream_max_rps: config.DOWNSTREAM_MAX_RPS || 'off',
    health: `http://${config.HOST}:${(health.address() as AddressInfo).port}/healthz`,
    sqs_endpoint: config.SQS_ENDPOINT ?? 'AWS',
    payload_bucket: config.PAYLOAD_BUCKET || null,
    downstream_header_names: Object.keys(config.DOWNSTREAM_HEADERS),
  });
  if (!config.PAYLOAD_BUCKET) {
    logger.warn('no payload bucket', {
      reason:
        'PAYLOAD_BUCKET is not set: a message whose body is in S3 stays on the DLQ until it ' +
        'is set, and is moved to the parking queue by the redrive policy after that many tries',
    });
  }
}

/** The S3 bodies of large events, when a bucket is configured. */
function payloadStoreOf(config: WorkerConfig): S3PayloadStore | undefined {
  if (!config.PAYLOAD_BUCKET) return undefined;
  const client = createS3Client({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT });
  return new S3PayloadStore(client, {
    bucket: config.PAYLOAD_BUCKET,
    prefix: config.PAYLOAD_PREFIX,
    timeoutMs: config.PAYLOAD_STORE_TIMEOUT_MS,
  });
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : describeError(error);
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'dlq-worker', message })}\n`);
  process.exit(1);
});
