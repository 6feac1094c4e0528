import { redact } from './redact';

/**
 * An error as a short text, with the causes an operator needs. Passed through
 * {@link redact}: a message quoting part of a body comes out masked.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth += 1) {
    const { name, message, cause } = current as {
      name?: string;
      message?: string;
      cause?: unknown;
    };
    parts.push(`${name ?? 'Error'}: ${message ?? String(current)}`);
    current = cause;
  }
  return redact(parts.join(' <- '));
}
