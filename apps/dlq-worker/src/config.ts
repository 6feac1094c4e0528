import {
  headerMap,
  int,
  payloadStoreSpecs,
  readConfig,
  sqsAndLoggingSpecs,
  str,
  url,
} from '@webhook-dlq/runtime';
import { MAX_DELAY_SECONDS } from '@webhook-dlq/sqs';

/** 12 hours: the longest delay between tries (SQS's visibility limit holds the rest). */
const MAX_RETRY_DELAY_SECONDS = 43_200;

export const workerSpecs = {
  ...sqsAndLoggingSpecs,
  ...payloadStoreSpecs,
  PARKING_QUEUE_NAME: str({
    default: 'genesys-webhook-parked',
    desc: 'where given-up events wait',
  }),
  DOWNSTREAM_URL: url({ desc: 'the business system every event is POSTed to' }),
  DOWNSTREAM_TIMEOUT_MS: int({ min: 1, default: 3000, desc: 'deadline of one delivery try' }),
  DOWNSTREAM_HEADERS: headerMap({ desc: 'JSON object of headers for the downstream' }),
  DOWNSTREAM_MAX_RPS: int({ min: 0, default: 0, desc: 'deliveries started per second; 0 = off' }),
  MAX_ATTEMPTS: int({ min: 1, default: 8, desc: "tries per event, the receiver's included" }),
  MAX_EVENT_AGE_SECONDS: int({ min: 1, default: 259_200, desc: 'park events older than this' }),
  RETRY_BASE_DELAY_SECONDS: int({ min: 0, max: MAX_RETRY_DELAY_SECONDS, default: 5 }),
  RETRY_MAX_DELAY_SECONDS: int({
    min: 0,
    max: MAX_RETRY_DELAY_SECONDS,
    default: MAX_DELAY_SECONDS,
    desc: `longest backoff; above ${MAX_DELAY_SECONDS} s the envelope carries notBefore`,
  }),
  MAX_IN_FLIGHT: int({ min: 1, default: 32, desc: 'deliveries running at once' }),
  VISIBILITY_TIMEOUT_SECONDS: int({
    min: 2,
    max: 43_200,
    default: 60,
    desc: 'how long a received message stays hidden; extended while its delivery runs',
  }),
  WAIT_TIME_SECONDS: int({ min: 0, max: 20, default: 20, desc: 'long-poll wait of a receive' }),
  DEDUP_WINDOW_SECONDS: int({ min: 0, default: 600, desc: 'skip events delivered this recently' }),
  BREAKER_ERROR_PERCENT: int({ min: 1, max: 100, default: 50, desc: 'failure rate that opens' }),
  BREAKER_MIN_REQUESTS: int({
    min: 1,
    default: 10,
    desc: 'tries in the window before it may open',
  }),
  BREAKER_WINDOW_SECONDS: int({
    min: 1,
    default: 30,
    desc: 'window the failure rate is taken over',
  }),
  BREAKER_COOLDOWN_SECONDS: int({ min: 1, default: 30, desc: 'open time before one probe' }),
  BATCH_LINGER_MS: int({ min: 0, default: 5, desc: 'wait to fill a batch of sends or deletes' }),
  HEALTH_PORT: int({ min: 0, max: 65535, default: 8081, desc: '/healthz, /readyz and /metrics' }),
  HOST: str({ default: '0.0.0.0', desc: 'address the health server listens on' }),
  SHUTDOWN_GRACE_SECONDS: int({
    min: 0,
    default: 25,
    desc: 'time to finish deliveries on SIGTERM',
  }),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

/** Reads and checks the worker's configuration, including rules that span variables. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig(workerSpecs, env);

  if (config.RETRY_BASE_DELAY_SECONDS > config.RETRY_MAX_DELAY_SECONDS) {
    throw new Error(
      `RETRY_BASE_DELAY_SECONDS (${config.RETRY_BASE_DELAY_SECONDS}) must not exceed ` +
        `RETRY_MAX_DELAY_SECONDS (${config.RETRY_MAX_DELAY_SECONDS}).`,
    );
  }
  return config;
}
