import { bool, cleanEnv, EnvError, makeValidator, str, url } from 'envalid';

/** The environment is not a configuration the app can run with. Names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: Record<string, string>) {
    super(
      'Invalid configuration: ' +
        Object.entries(problems)
          .map(([name, problem]) => `${name} ${problem}`)
          .join('; '),
    );
  }
}

/**
 * Validates `env` against envalid specs once, at start-up. Throws {@link ConfigError} instead of
 * exiting, so the caller decides how to report it.
 */
export function readConfig<S extends Parameters<typeof cleanEnv>[1]>(
  specs: S,
  env: NodeJS.ProcessEnv,
): ReturnType<typeof cleanEnv<S>> {
  return cleanEnv(env, specs, {
    reporter: ({ errors }) => {
      const entries = Object.entries(errors).filter(([, error]) => error !== undefined);
      if (entries.length === 0) return;
      throw new ConfigError(
        Object.fromEntries(
          entries.map(([name, error]) => [name, describe(error as Error, env[name])]),
        ),
      );
    },
  });
}

function describe(error: Error, value: string | undefined): string {
  if (value === undefined) return 'is required and not set';
  return `is invalid: ${error.message}`;
}

/** A whole number within `[min, max]`; envalid's own `num` accepts fractions and any sign. */
export function int(options: { min: number; max?: number; default?: number; desc?: string }) {
  const { min, max = Number.MAX_SAFE_INTEGER, ...rest } = options;
  return makeValidator<number>((input) => {
    const value = Number(input);
    if (!/^-?\d+$/.test(String(input).trim()) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      throw new EnvError(`expected a whole number ${range}, got "${input}"`);
    }
    return value;
  })(rest);
}

/** Variables every app reads to reach SQS and to log. */
export const sqsAndLoggingSpecs = {
  AWS_REGION: str({ default: 'us-east-1', desc: 'AWS region of the queues' }),
  SQS_ENDPOINT: url({
    default: undefined,
    desc: 'An SQS-compatible server to use instead of AWS, e.g. http://127.0.0.1:9324',
  }),
  DLQ_QUEUE_NAME: str({ default: 'genesys-webhook-dlq', desc: 'the retry queue' }),
  LOG_LEVEL: str({
    default: 'info',
    choices: ['error', 'warn', 'info', 'debug'],
    desc: 'the lowest level logged',
  }),
};

/**
 * A comma-separated list, blanks around items and empty items dropped. The error never
 * quotes the value: lists hold secrets.
 */
export function list(options: { desc?: string } = {}) {
  return makeValidator<string[]>((input) =>
    String(input)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )({ default: [], ...options });
}

/** Headers receiver and worker add themselves; a configured header may not replace them. */
const OWN_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'idempotency-key',
  'x-genesys-topic',
  'x-dlq-attempt',
  'transfer-encoding',
  'connection',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Extra headers for every downstream call, as a JSON object of strings, e.g.
 * `{"Authorization":"Bearer …"}`. Errors name the header, never its value.
 */
export function headerMap(options: { desc?: string } = {}) {
  return makeValidator<Record<string, string>>((input) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(input));
    } catch {
      throw new EnvError('expected a JSON object of header names to values');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new EnvError('expected a JSON object of header names to values');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
      if (!HEADER_NAME.test(name)) throw new EnvError(`"${name}" is not a header name`);
      if (OWN_HEADERS.has(name.toLowerCase())) {
        throw new EnvError(`"${name}" is set by the apps themselves and cannot be configured`);
      }
      if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw new EnvError(`the value of "${name}" must be a string on one line`);
      }
      headers[name.toLowerCase()] = value;
    }
    return headers;
  })({ default: {}, ...options });
}

/** Where bodies too large for a queue message are kept, read by receiver and worker. */
export const payloadStoreSpecs = {
  PAYLOAD_BUCKET: str({
    default: '',
    desc: 'S3 bucket for bodies too large for a queue message; empty = such events are refused',
  }),
  PAYLOAD_PREFIX: str({ default: 'payloads/', desc: 'key prefix of stored bodies' }),
  S3_ENDPOINT: url({
    default: undefined,
    desc: 'An S3-compatible server to use instead of AWS (path-style), e.g. http://127.0.0.1:9324',
  }),
  PAYLOAD_STORE_TIMEOUT_MS: int({ min: 1, default: 2000, desc: 'deadline of one S3 call' }),
};

export { bool, str, url };
