import {
  bool,
  ConfigError,
  headerMap,
  int,
  list,
  payloadStoreSpecs,
  readConfig,
  sqsAndLoggingSpecs,
  str,
  url,
} from '@webhook-dlq/runtime';
import type { AuthSettings } from './auth';

export const receiverSpecs = {
  ...sqsAndLoggingSpecs,
  ...payloadStoreSpecs,
  PORT: int({ min: 0, max: 65535, default: 8080, desc: 'port of the webhook endpoint' }),
  METRICS_PORT: int({ min: 0, max: 65535, default: 9464, desc: 'port of /metrics' }),
  HOST: str({ default: '0.0.0.0', desc: 'address to listen on' }),
  DOWNSTREAM_URL: url({ desc: 'the business system every event is POSTed to' }),
  DOWNSTREAM_TIMEOUT_MS: int({ min: 1, default: 3000, desc: 'longest delivery try' }),
  DOWNSTREAM_HEADERS: headerMap({ desc: 'JSON object of headers for the downstream' }),
  REQUEST_BUDGET_MS: int({ min: 100, default: 4000, desc: 'time from request to answer' }),
  BODY_LIMIT_BYTES: int({ min: 1, default: 10_485_760, desc: 'largest accepted body' }),
  DEFAULT_TOPIC: str({ default: '', desc: 'topic for bodies that carry none' }),
  SQS_SEND_TIMEOUT_MS: int({ min: 1, default: 1500, desc: 'deadline of storing on the DLQ' }),
  BATCH_LINGER_MS: int({ min: 0, max: 1000, default: 5, desc: 'wait to fill a batch of sends' }),
  FIRST_RETRY_DELAY_SECONDS: int({
    min: 0,
    max: 900,
    default: 5,
    desc: 'delay before the worker first retries a stored event',
  }),
  RETRY_AFTER_SECONDS: int({ min: 0, default: 5, desc: 'Retry-After of a 503 answer' }),
  SHUTDOWN_GRACE_SECONDS: int({ min: 0, default: 10, desc: 'time to finish requests on SIGTERM' }),
  AUTH_API_KEYS: list({ desc: 'accepted API keys, comma-separated' }),
  AUTH_API_KEY_HEADER: str({ default: 'x-api-key', desc: 'header carrying the API key' }),
  AUTH_BASIC_USERS: list({ desc: 'accepted user:password pairs, comma-separated' }),
  AUTH_HMAC_SECRETS: list({ desc: 'keys of x-hub-signature-256, comma-separated' }),
  AUTH_DISABLED: bool({ default: false, desc: 'admit unauthenticated callers' }),
  DEDUP_WINDOW_SECONDS: int({ min: 0, default: 600, desc: 'answer copies as duplicates; 0 = off' }),
  DEDUP_MAX_EVENTS: int({ min: 1, default: 100_000, desc: 'event ids remembered at most' }),
  RATE_LIMIT_MAX: int({ min: 0, default: 0, desc: 'requests per client per window; 0 = off' }),
  RATE_LIMIT_WINDOW_SECONDS: int({ min: 1, default: 60, desc: 'window of the rate limit' }),
  TRUST_PROXY: str({ default: '', desc: 'proxies whose X-Forwarded-For names the client' }),
};

/** The shortest downstream try worth making; with less time left the event is stored at once. */
export const MIN_TRY_MS = 50;

export type ReceiverConfig = ReturnType<typeof loadReceiverConfig>;

/** Reads and checks the receiver's configuration, including rules that span variables. */
export function loadReceiverConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig(receiverSpecs, env);
  const auth = authSettingsOf(config);

  const storeMs = config.SQS_SEND_TIMEOUT_MS + config.BATCH_LINGER_MS;
  if (config.REQUEST_BUDGET_MS < storeMs + MIN_TRY_MS) {
    throw new ConfigError({
      REQUEST_BUDGET_MS:
        `must leave at least ${MIN_TRY_MS} ms for the downstream after SQS_SEND_TIMEOUT_MS ` +
        `and BATCH_LINGER_MS (${storeMs} ms)`,
    });
  }
  return { ...config, auth, trustProxy: trustProxyOf(config.TRUST_PROXY) };
}

function authSettingsOf(config: {
  AUTH_API_KEYS: string[];
  AUTH_API_KEY_HEADER: string;
  AUTH_BASIC_USERS: string[];
  AUTH_HMAC_SECRETS: string[];
  AUTH_DISABLED: boolean;
}): AuthSettings {
  const basicUsers = config.AUTH_BASIC_USERS.map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      // The entry holds a password: name its position, never its text.
      throw new ConfigError({
        AUTH_BASIC_USERS: `entry ${index + 1} is not user:password with both parts set`,
      });
    }
    return { user: entry.slice(0, colon), password: entry.slice(colon + 1) };
  });
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(config.AUTH_API_KEY_HEADER)) {
    throw new ConfigError({ AUTH_API_KEY_HEADER: 'is not a header name' });
  }

  const settings: AuthSettings = {
    apiKeys: config.AUTH_API_KEYS,
    apiKeyHeader: config.AUTH_API_KEY_HEADER.toLowerCase(),
    basicUsers,
    hmacSecrets: config.AUTH_HMAC_SECRETS,
    disabled: config.AUTH_DISABLED,
  };
  const configured =
    settings.apiKeys.length + settings.basicUsers.length + settings.hmacSecrets.length > 0;
  if (!configured && !settings.disabled) {
    throw new ConfigError({
      AUTH_API_KEYS:
        'or AUTH_BASIC_USERS or AUTH_HMAC_SECRETS must be set: the receiver admits no ' +
        'unauthenticated caller unless AUTH_DISABLED=true',
    });
  }
  if (configured && settings.disabled) {
    throw new ConfigError({
      AUTH_DISABLED: 'is true while credentials are configured; set one or the other',
    });
  }
  return settings;
}

/** Express's `trust proxy`: a hop count, or addresses and subnets; empty trusts none. */
function trustProxyOf(value: string): number | string[] | false {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === 'true') {
    // Trusting every proxy lets any client pick its own address, and so its rate limit.
    throw new ConfigError({
      TRUST_PROXY: 'may not be true: give the number of proxies in front, or their addresses',
    });
  }
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
