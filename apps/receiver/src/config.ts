import { int, readConfig, sqsAndLoggingSpecs, str, url } from '@webhook-dlq/runtime';

export const receiverSpecs = {
  ...sqsAndLoggingSpecs,
  PORT: int({ min: 0, max: 65535, default: 8080, desc: 'port of the webhook endpoint' }),
  HOST: str({ default: '0.0.0.0', desc: 'address to listen on' }),
  DOWNSTREAM_URL: url({ desc: 'the business system every event is POSTed to' }),
  DOWNSTREAM_TIMEOUT_MS: int({ min: 1, default: 3000, desc: 'deadline of the delivery try' }),
  BODY_LIMIT_BYTES: int({ min: 1, default: 1_048_576, desc: 'largest accepted body' }),
  DEFAULT_TOPIC: str({ default: '', desc: 'topic for bodies that carry none' }),
  SQS_SEND_TIMEOUT_MS: int({ min: 1, default: 1500, desc: 'deadline of storing on the DLQ' }),
  FIRST_RETRY_DELAY_SECONDS: int({
    min: 0,
    max: 900,
    default: 5,
    desc: 'delay before the worker first retries a stored event',
  }),
  RETRY_AFTER_SECONDS: int({ min: 0, default: 5, desc: 'Retry-After of a 503 answer' }),
  SHUTDOWN_GRACE_SECONDS: int({ min: 0, default: 10, desc: 'time to finish requests on SIGTERM' }),
};

export type ReceiverConfig = ReturnType<typeof loadReceiverConfig>;

export function loadReceiverConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(receiverSpecs, env);
}
