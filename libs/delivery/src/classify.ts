import type { AttemptOutcome } from '@webhook-dlq/payloads';

/**
 * The one classification of a downstream answer, shared by receiver and worker:
 * 2xx delivered; 5xx, 408 and 429 retryable; every other status permanent.
 */
export function classifyStatus(statusCode: number): AttemptOutcome {
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode >= 500 || statusCode === 408 || statusCode === 429) return 'retryable';
  return 'permanent';
}

/**
 * Reads `Retry-After` as seconds from now: either delta-seconds or an HTTP date. A date in
 * the past gives 0; an unreadable value gives `undefined`.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = new Date(),
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();

  if (/^\d+$/.test(text)) return Number(text);

  // An HTTP date always names a weekday or month; this keeps '-5' from parsing as a year.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, Math.ceil((when - now.getTime()) / 1000));
}
