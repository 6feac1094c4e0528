export interface BackoffSettings {
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

/**
 * Seconds to wait before try number `nextAttempt` (2 for the worker's first): doubles from
 * the base with each try, then "equal jitter" picks a value between half of that and all of
 * it so replicas retrying together spread out. A downstream's `Retry-After` replaces the
 * computed delay. The result is always within `[baseDelaySeconds, maxDelaySeconds]`.
 */
export function retryDelaySeconds(
  nextAttempt: number,
  settings: BackoffSettings,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const { baseDelaySeconds: base, maxDelaySeconds: max } = settings;
  const clamp = (seconds: number) => Math.min(max, Math.max(base, Math.round(seconds)));

  if (retryAfterSeconds !== undefined) return clamp(retryAfterSeconds);

  const exponent = Math.min(Math.max(0, nextAttempt - 2), 30);
  const ceiling = Math.min(max, base * 2 ** exponent);
  return clamp(ceiling / 2 + (random() * ceiling) / 2);
}
