import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who may post events. Several values per scheme let a secret be rotated without downtime. */
export interface AuthSettings {
  /** Accepted in the `apiKeyHeader` header, or as `Authorization: Bearer <key>`. */
  apiKeys: string[];
  apiKeyHeader: string;
  basicUsers: Array<{ user: string; password: string }>;
  /** Keys of an HMAC-SHA256 of the raw body, sent as `x-hub-signature-256: sha256=<hex>`. */
  hmacSecrets: string[];
  /** Admit every caller. Only with no scheme configured; the receiver warns at start-up. */
  disabled: boolean;
}

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** What the headers alone say about a caller. */
export type HeaderVerdict =
  | 'admitted'
  /** Credentials were sent and none matched. */
  | 'invalid'
  /** No credential of a configured scheme was sent. */
  | 'missing';

/**
 * Checks callers against the configured schemes; any one scheme that passes admits.
 * Every comparison takes the same time whatever the inputs: both sides are hashed to equal
 * length first, and every configured secret is compared, without stopping at a match.
 */
export class Authenticator {
  constructor(private readonly settings: AuthSettings) {}

  get disabled(): boolean {
    return this.settings.disabled;
  }

  /** Whether a signed body could still admit a caller the headers did not. */
  get verifiesSignatures(): boolean {
    return this.settings.hmacSecrets.length > 0;
  }

  /** Every secret, for the logger to mask should one ever reach a line. */
  secrets(): string[] {
    const { apiKeys, basicUsers, hmacSecrets } = this.settings;
    return [...apiKeys, ...basicUsers.map((entry) => entry.password), ...hmacSecrets];
  }

  /** API key and Basic credentials, which need no body. */
  checkHeaders(headers: IncomingHttpHeaders): HeaderVerdict {
    const { apiKeys, apiKeyHeader, basicUsers } = this.settings;
    const authorization = single(headers.authorization);
    const headerKey = single(headers[apiKeyHeader.toLowerCase()]);
    const bearer = schemeValue(authorization, 'bearer');
    const basic = schemeValue(authorization, 'basic');

    let sent = false;
    let admitted = false;
    if (apiKeys.length > 0) {
      for (const candidate of [headerKey, bearer]) {
        if (candidate === undefined) continue;
        sent = true;
        admitted = anyEqual(candidate, apiKeys) || admitted;
      }
    }
    if (basicUsers.length > 0 && basic !== undefined) {
      sent = true;
      admitted = basicMatches(basic, basicUsers) || admitted;
    }
    if (admitted) return 'admitted';
    return sent ? 'invalid' : 'missing';
  }

  /** True when `x-hub-signature-256` is an HMAC-SHA256 of `body` under a configured key. */
  checkSignature(body: Buffer, header: string | undefined): boolean {
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
    if (!match) return false;
    const sent = match[1].toLowerCase();

    let admitted = false;
    for (const secret of this.settings.hmacSecrets) {
      const expected = createHmac('sha256', secret).update(body).digest('hex');
      admitted = safeEqual(sent, expected) || admitted;
    }
    return admitted;
  }
}

/** Compares in constant time for inputs of any length. */
export function safeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a).digest();
  const digestB = createHash('sha256').update(b).digest();
  return timingSafeEqual(digestA, digestB);
}

function anyEqual(value: string, candidates: string[]): boolean {
  let found = false;
  for (const candidate of candidates) found = safeEqual(value, candidate) || found;
  return found;
}

function basicMatches(encoded: string, users: AuthSettings['basicUsers']): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);

  let found = false;
  for (const entry of users) {
    // Both compared every time, so a known user name does not answer faster.
    const userOk = safeEqual(user, entry.user);
    const passwordOk = safeEqual(password, entry.password);
    found = (userOk && passwordOk) || found;
  }
  return found;
}

/** The credential after `<scheme> ` in an Authorization header, if it uses that scheme. */
function schemeValue(authorization: string | undefined, scheme: string): string | undefined {
  if (!authorization) return undefined;
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== scheme) return undefined;
  const value = authorization.slice(space + 1).trim();
  return value === '' ? undefined : value;
}

/** The header's value; an empty one counts as not sent. */
function single(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}
