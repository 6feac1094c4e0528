import type { Server } from 'node:http';

/**
 * Stops accepting connections, lets requests in progress finish, and closes idle keep-alive
 * connections. Resolves `true` when everything finished within `graceMs`, `false` when it had
 * to cut connections.
 */
export async function closeHttpServer(server: Server, graceMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();

  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const finished = await Promise.race([closed.then(() => true as const), expired]);
  clearTimeout(timer);

  if (!finished) server.closeAllConnections();
  return finished;
}
