/** An error as a short text, with the causes an operator needs; never a body. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth += 1) {
    const { name, message, cause } = current as { name?: string; message?: string; cause?: unknown };
    parts.push(`${name ?? 'Error'}: ${message ?? String(current)}`);
    current = cause;
  }
  return parts.join(' <- ');
}
