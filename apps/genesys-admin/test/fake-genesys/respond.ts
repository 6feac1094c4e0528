import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

export const STALE_VERSION = 'The version supplied does not match the current version.';

/** Answers as Genesys does: `{message, code, status}` plus a context id. */
export function genesysError(res: Response, status: number, code: string, message: string): void {
  const contextId = randomUUID();
  res.status(status).json({ message, code, status, contextId, details: [], errors: [] });
}

/**
 * Page-number paging as most Genesys listings do it: `pageSize`, `pageNumber`, `pageCount`,
 * `total` and a `nextUri` while pages remain.
 */
export function numberedPage<T>(req: Request, items: T[], path: string, maxPageSize: number) {
  const pageSize = Math.min(Number(req.query.pageSize ?? 25) || 25, maxPageSize);
  const pageNumber = Math.max(Number(req.query.pageNumber ?? 1) || 1, 1);
  const pageCount = Math.max(Math.ceil(items.length / pageSize), 1);
  const entities = items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const uri = (n: number) => `${path}?pageSize=${pageSize}&pageNumber=${n}`;
  return {
    entities,
    pageSize,
    pageNumber,
    total: items.length,
    pageCount,
    firstUri: uri(1),
    lastUri: uri(pageCount),
    selfUri: uri(pageNumber),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
  };
}
