export {
  bool,
  ConfigError,
  headerMap,
  int,
  list,
  payloadStoreSpecs,
  readConfig,
  sqsAndLoggingSpecs,
  str,
  url,
} from './config';
export { describeError } from './errors';
export { closeHttpServer } from './http-shutdown';
export { retryUntilReady } from './retry';
export { createLogger, type Logger, type LoggerOptions } from './logger';
export { redact, REDACTED } from './redact';
