import { createLogger as createWinstonLogger, format, type Logger, transports } from 'winston';

export type { Logger } from 'winston';

export interface LoggerOptions {
  /** Goes into every line as `service`. */
  service: string;
  /** winston level: error, warn, info, debug. */
  level: string;
  /** Where lines go; stdout by default. Tests pass their own to read what was logged. */
  stream?: NodeJS.WritableStream;
}

/**
 * One JSON object per line, with `timestamp`, `level`, `service`, `message` and the call's fields.
 * Fields are snake_case by convention (`event_id`, `duration_ms`) and never carry a body.
 */
export function createLogger(options: LoggerOptions): Logger {
  const transport = options.stream
    ? new transports.Stream({ stream: options.stream })
    : new transports.Console();

  return createWinstonLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format: format.combine(
      format.timestamp(),
      format.errors({ stack: false }),
      format.json(),
    ),
    transports: [transport],
  });
}
