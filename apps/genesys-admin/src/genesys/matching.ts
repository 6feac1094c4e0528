import type { Trigger } from './directory';

/** Triggers this tool looks after: those whose name starts with `prefix` ('' = all). */
export function selectTriggers(triggers: Trigger[], prefix: string): Trigger[] {
  return triggers.filter((trigger) => (trigger.name ?? '').startsWith(prefix));
}

/**
 * Whether a data action's request URL template posts to the receiver: the receiver URL
 * itself, or a path below it (the `/<topic>` route). Trailing slashes do not count.
 */
export function urlPostsTo(template: string | undefined, receiverUrl: string): boolean {
  if (!template) return false;
  const target = template.trim().replace(/\/+$/, '');
  const receiver = receiverUrl.trim().replace(/\/+$/, '');
  return target === receiver || target.startsWith(`${receiver}/`);
}

/**
 * A URL without user, password or query, which may hold credentials. Templates that are not
 * absolute URLs (`${input.url}`) are cut at the first `?`.
 */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${decodeURI(parsed.pathname)}`;
  } catch {
    return url.split('?')[0];
  }
}
