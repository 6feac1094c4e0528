/**
 * Keeps a message hidden while its handling runs long: every half visibility timeout, the
 * visibility is extended by a whole timeout again. Returns the function that stops it, which
 * must run before the message is re-sent, parked or deleted.
 */
export function startHeartbeat(
  extend: (seconds: number) => Promise<void>,
  visibilityTimeoutSeconds: number,
  onFailure: (error: unknown) => void,
): () => void {
  const timer = setInterval(
    () => {
      extend(visibilityTimeoutSeconds).catch(onFailure);
    },
    (visibilityTimeoutSeconds * 1000) / 2,
  );
  return () => clearInterval(timer);
}
