/**
 * Genesys answered a call with an error status. Carries only what Genesys said
 * (`{message, code, status}`) and never the request, whose headers hold the token.
 */
export class GenesysApiError extends Error {
  override readonly name = 'GenesysApiError';

  constructor(
    /** What we were doing, e.g. "list triggers". */
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    /** From `Retry-After`, when Genesys sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${operation}: Genesys answered ${status}${code ? ` ${code}` : ''}: ${detail}`);
  }

  /** 429 and 5xx are worth another try; Genesys says so for 429 with `Retry-After`. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** No answer from Genesys at all (connection refused, reset, timeout). Worth retrying. */
export class GenesysUnreachableError extends Error {
  override readonly name = 'GenesysUnreachableError';
  readonly retryable = true;

  constructor(
    readonly operation: string,
    detail: string,
  ) {
    super(`${operation}: no answer from Genesys: ${detail}`);
  }
}

/** The OAuth client was refused at login. Retrying will not help. */
export class GenesysLoginError extends Error {
  override readonly name = 'GenesysLoginError';

  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`Genesys refused the client credentials (${status}): ${detail}`);
  }
}

export type GenesysError = GenesysApiError | GenesysUnreachableError | GenesysLoginError;

interface HttpFailure {
  status: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/**
 * Turns whatever the SDK rejected with into one of our errors. The SDK rejects API calls
 * with `{status, headers, body, error}` (extended responses) and a login with the raw HTTP
 * client error; both hold the request and its credentials, so nothing of them is kept.
 */
export function toGenesysError(operation: string, rejected: unknown): Error {
  if (
    rejected instanceof GenesysApiError ||
    rejected instanceof GenesysUnreachableError ||
    rejected instanceof GenesysLoginError
  ) {
    return rejected;
  }
  const failure = httpFailureOf(rejected);
  if (failure) {
    const body = (failure.body ?? {}) as Record<string, unknown>;
    const detail =
      stringOf(body.message) ??
      stringOf(body.error_description) ??
      stringOf(body.description) ??
      (typeof failure.body === 'string' ? failure.body.slice(0, 200) : 'no detail');
    return new GenesysApiError(
      operation,
      failure.status,
      stringOf(body.code) ?? stringOf(body.error),
      detail,
      retryAfterMs(failure.headers?.['retry-after']),
    );
  }
  if (typeof rejected === 'string') return new Error(`${operation}: ${rejected}`);

  const { code, message } = (rejected ?? {}) as { code?: unknown; message?: unknown };
  return new GenesysUnreachableError(
    operation,
    [stringOf(code), stringOf(message)].filter(Boolean).join(' ') || 'unknown error',
  );
}

function httpFailureOf(rejected: unknown): HttpFailure | undefined {
  if (!rejected || typeof rejected !== 'object') return undefined;
  const value = rejected as { status?: unknown; response?: { status?: unknown } };
  // Login rejects with the HTTP client's error, whose answer sits under `response`.
  const response = (value.response ?? value) as {
    status?: unknown;
    headers?: Record<string, unknown>;
    body?: unknown;
    data?: unknown;
  };
  if (typeof response.status !== 'number') return undefined;
  return {
    status: response.status,
    headers: response.headers,
    body: 'body' in response ? response.body : response.data,
  };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  const text = stringOf(value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
