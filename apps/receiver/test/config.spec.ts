import { ConfigError } from '@webhook-dlq/runtime';
import { loadReceiverConfig } from '../src/config';

const base = { DOWNSTREAM_URL: 'http://127.0.0.1:9/events', AUTH_API_KEYS: 'k1-aaaaaaaaaaaaaaaa' };

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadReceiverConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('receiver configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadReceiverConfig(base);
    expect(config).toMatchObject({
      PORT: 8080,
      METRICS_PORT: 9464,
      REQUEST_BUDGET_MS: 4000,
      BODY_LIMIT_BYTES: 10_485_760,
      DEDUP_WINDOW_SECONDS: 600,
      RATE_LIMIT_MAX: 0,
      BATCH_LINGER_MS: 5,
      PAYLOAD_BUCKET: '',
      PAYLOAD_PREFIX: 'payloads/',
      DOWNSTREAM_HEADERS: {},
      trustProxy: false,
    });
    expect(config.auth).toEqual({
      apiKeys: ['k1-aaaaaaaaaaaaaaaa'],
      apiKeyHeader: 'x-api-key',
      basicUsers: [],
      hmacSecrets: [],
      disabled: false,
    });
  });

  it('reads several secrets per scheme, for rotation', () => {
    const config = loadReceiverConfig({
      DOWNSTREAM_URL: base.DOWNSTREAM_URL,
      AUTH_API_KEYS: 'old, new',
      AUTH_BASIC_USERS: 'genesys:old:with:colons,genesys:new',
      AUTH_HMAC_SECRETS: 's1,s2',
      AUTH_API_KEY_HEADER: 'X-Genesys-Key',
    });
    expect(config.auth).toEqual({
      apiKeys: ['old', 'new'],
      apiKeyHeader: 'x-genesys-key',
      basicUsers: [
        { user: 'genesys', password: 'old:with:colons' },
        { user: 'genesys', password: 'new' },
      ],
      hmacSecrets: ['s1', 's2'],
      disabled: false,
    });
  });

  it('refuses to start with no authentication unless AUTH_DISABLED=true', () => {
    const env = { DOWNSTREAM_URL: base.DOWNSTREAM_URL };
    expect(problemsOf(env).AUTH_API_KEYS).toMatch(/AUTH_DISABLED=true/);
    expect(loadReceiverConfig({ ...env, AUTH_DISABLED: 'true' }).auth.disabled).toBe(true);
  });

  it('refuses AUTH_DISABLED next to configured credentials', () => {
    expect(problemsOf({ ...base, AUTH_DISABLED: 'true' })).toHaveProperty('AUTH_DISABLED');
  });

  it('names a malformed Basic entry by position without quoting it', () => {
    const problems = problemsOf({ ...base, AUTH_BASIC_USERS: 'ok:pass,secretpassword' });
    expect(problems.AUTH_BASIC_USERS).toContain('entry 2');
    expect(JSON.stringify(problems)).not.toContain('secretpassword');
  });

  it('refuses a budget that leaves the downstream no time after storing', () => {
    const env = { ...base, REQUEST_BUDGET_MS: '1500', SQS_SEND_TIMEOUT_MS: '1500' };
    const problems = problemsOf(env);
    expect(problems.REQUEST_BUDGET_MS).toMatch(/SQS_SEND_TIMEOUT_MS/);
  });

  it('reads TRUST_PROXY as hops or addresses and refuses a blanket true', () => {
    expect(loadReceiverConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    const proxies = loadReceiverConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect(proxies.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(problemsOf({ ...base, TRUST_PROXY: 'true' })).toHaveProperty('TRUST_PROXY');
  });

  it('refuses DOWNSTREAM_HEADERS that would replace the identity headers', () => {
    const problems = problemsOf({ ...base, DOWNSTREAM_HEADERS: '{"Idempotency-Key":"x"}' });
    expect(problems.DOWNSTREAM_HEADERS).toMatch(/set by the apps/);
  });
});
