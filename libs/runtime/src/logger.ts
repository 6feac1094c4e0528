import { createLogger as createWinstonLogger, format, type Logger, transports } from 'winston';
import { redact } from './redact';

export type { Logger } from 'winston';

export interface LoggerOptions {
  /** Goes into every line as `service`. */
  service: string;
  /** winston level: error, warn, info, debug. */
  level: string;
  /** Where lines go; stdout by default. Tests pass their own to read what was logged. */
  stream?: NodeJS.WritableStream;
  /** Values that must never appear in a line (credentials, header values); masked if they do. */
  secrets?: readonly string[];
}

/** Fields winston adds itself, which hold no personal data and are left as they are. */
const OWN_FIELDS = new Set(['level', 'timestamp', 'service']);

/**
 * Every line passes through {@link redact} before it is written, whatever the call passed:
 * a body or an error quoting one that slipped into a field comes out masked.
 */
const redacted = (secrets: readonly string[]) =>
  format((info) => {
    const record = info as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (OWN_FIELDS.has(key)) continue;
      const clean = redact({ [key]: record[key] }, secrets);
      record[key] = clean[key];
    }
    return info;
  })();

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
      redacted(options.secrets ?? []),
      format.json(),
    ),
    transports: [transport],
  });
}
