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

export { bool, str, url };
