export { bool, ConfigError, int, readConfig, sqsAndLoggingSpecs, str, url } from './config';
export { describeError } from './errors';
export { closeHttpServer } from './http-shutdown';
export { retryUntilReady } from './retry';
export { createLogger, type Logger, type LoggerOptions } from './logger';
