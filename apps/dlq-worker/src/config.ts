import { int, readConfig, sqsAndLoggingSpecs, str, url } from '@webhook-dlq/runtime';
import { MAX_DELAY_SECONDS } from '@webhook-dlq/sqs';

export const workerSpecs = {
  ...sqsAndLoggingSpecs,
  PARKING_QUEUE_NAME: str({ default: 'genesys-webhook-parked', desc: 'where given-up events wait' }),
  DOWNSTREAM_URL: url({ desc: 'the business system every event is POSTed to' }),
  DOWNSTREAM_TIMEOUT_MS: int({ min: 1, default: 3000, desc: 'deadline of one delivery try' }),
  MAX_ATTEMPTS: int({ min: 1, default: 8, desc: "tries per event, the receiver's included" }),
  RETRY_BASE_DELAY_SECONDS: int({ min: 0, max: MAX_DELAY_SECONDS, default: 5 }),
  RETRY_MAX_DELAY_SECONDS: int({ min: 0, max: MAX_DELAY_SECONDS, default: MAX_DELAY_SECONDS }),
  MAX_IN_FLIGHT: int({ min: 1, default: 32, desc: 'deliveries running at once' }),
  VISIBILITY_TIMEOUT_SECONDS: int({
    min: 1,
    max: 43_200,
    default: 60,
    desc: 'how long a received message stays hidden from other workers',
  }),
  WAIT_TIME_SECONDS: int({ min: 0, max: 20, default: 20, desc: 'long-poll wait of a receive' }),
  HEALTH_PORT: int({ min: 0, max: 65535, default: 8081, desc: 'port of /healthz and /readyz' }),
  HOST: str({ default: '0.0.0.0', desc: 'address the health server listens on' }),
  SHUTDOWN_GRACE_SECONDS: int({ min: 0, default: 25, desc: 'time to finish deliveries on SIGTERM' }),
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
  // A message must stay hidden for the whole try plus the re-send, or a second worker gets it.
  const neededSeconds = Math.ceil(config.DOWNSTREAM_TIMEOUT_MS / 1000) + 10;
  if (config.VISIBILITY_TIMEOUT_SECONDS < neededSeconds) {
    throw new Error(
      `VISIBILITY_TIMEOUT_SECONDS (${config.VISIBILITY_TIMEOUT_SECONDS}) must be at least ` +
        `${neededSeconds}: DOWNSTREAM_TIMEOUT_MS plus 10 s to re-send or park.`,
    );
  }
  return config;
}
