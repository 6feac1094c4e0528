import { backOff } from 'exponential-backoff';
import { describeError } from './errors';
import type { Logger } from './logger';

/**
 * Calls `fn` until it succeeds, backing off with jitter up to `maxDelayMs` between tries and
 * logging each failure as a warning. Used at start-up for dependencies that may come up later
 * than the app (the queue, a sidecar). Stops, rejecting, once `signal` aborts.
 */
export function retryUntilReady<T>(
  what: string,
  fn: () => Promise<T>,
  logger: Logger,
  options: { maxDelayMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  return backOff(fn, {
    numOfAttempts: Number.MAX_SAFE_INTEGER,
    startingDelay: 200,
    maxDelay: options.maxDelayMs ?? 30_000,
    jitter: 'full',
    retry: (error: unknown, attempt: number) => {
      if (options.signal?.aborted) return false;
      logger.warn(`${what} not ready, retrying`, { attempt, error: describeError(error) });
      return true;
    },
  });
}
