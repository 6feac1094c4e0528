import type { AttemptOutcome, AttemptRecord } from '@webhook-dlq/payloads';
import { classifyStatus, parseRetryAfter } from './classify';

/** One try to hand an event to the downstream. */
export interface DeliveryRequest {
  url: string;
  /** The original body, sent byte for byte. */
  body: Buffer;
  contentType: string;
  eventId: string;
  topic: string;
  /** 1 for the receiver's try, 2… for the worker's; sent as `X-Dlq-Attempt`. */
  attempt: number;
  /** The call is aborted after this long and counts as a retryable timeout. */
  timeoutMs: number;
  /** Aborts the call early, e.g. on shutdown; counts as retryable. */
  signal?: AbortSignal;
  /**
   * More headers for the downstream, e.g. its own `Authorization`. The four this function
   * sets itself win over any of the same name. Never logged or recorded.
   */
  headers?: Readonly<Record<string, string>>;
}

/** What one try came to. `error` never holds any of the event or of the downstream's answer. */
export interface DeliveryResult {
  outcome: AttemptOutcome;
  startedAt: Date;
  durationMs: number;
  statusCode?: number;
  error?: string;
  retryAfterSeconds?: number;
}

/**
 * POSTs the body to the downstream with `Idempotency-Key`, `X-Genesys-Topic`,
 * `X-Dlq-Attempt` and any configured headers, and classifies the result. Never throws: a
 * timeout or a connection error is a retryable result.
 */
export async function attemptDelivery(request: DeliveryRequest): Promise<DeliveryResult> {
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;

  try {
    const response = await fetch(request.url, {
      method: 'POST',
      body: request.body,
      headers: {
        ...lowerCased(request.headers),
        'content-type': request.contentType,
        'idempotency-key': request.eventId,
        'x-genesys-topic': request.topic,
        'x-dlq-attempt': String(request.attempt),
      },
      signal,
      redirect: 'manual',
    });
    // Drain the answer so the connection goes back to the pool; its content is not kept.
    await response.arrayBuffer();

    const outcome = classifyStatus(response.status);
    return {
      outcome,
      startedAt,
      durationMs: elapsed(),
      statusCode: response.status,
      error: outcome === 'delivered' ? undefined : `downstream answered ${response.status}`,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (error) {
    return {
      outcome: 'retryable',
      startedAt,
      durationMs: elapsed(),
      error: describeFailure(error, timeout.aborted, request.timeoutMs),
    };
  }
}

/** The history record of a result, as the envelope stores it. */
export function toAttemptRecord(
  result: DeliveryResult,
  attempt: number,
  by: AttemptRecord['by'],
): AttemptRecord {
  return {
    attempt,
    at: result.startedAt.toISOString(),
    outcome: result.outcome,
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
    retryAfterSeconds: result.retryAfterSeconds,
    by,
  };
}

function lowerCased(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;

  // Read by shape, not instanceof: fetch's errors may come from another realm.
  const failure = (error ?? {}) as { name?: string; message?: string; cause?: unknown };
  if (failure.name === 'AbortError') return 'aborted';

  // fetch wraps the socket error; its code (ECONNREFUSED, ENOTFOUND, …) is the useful part.
  const cause = (failure.cause ?? {}) as { code?: string; message?: string };
  if (cause.code) return `connection failed: ${cause.code}`;
  return `connection failed: ${cause.message ?? failure.message ?? String(error)}`;
}
