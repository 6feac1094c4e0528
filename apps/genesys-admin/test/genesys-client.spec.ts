import { GenesysClient, regionHost } from '../src/genesys/client';
import { GenesysDirectory } from '../src/genesys/directory';
import { GenesysApiError, retryAfterMs } from '../src/genesys/errors';
import type { FakeGenesys } from './fake-genesys/server';
import { runCli, testIo } from './support/cli-harness';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  genesysEnv,
  isolateGenesysSdk,
  startFakeGenesys,
} from './support/fake-genesys-env';
import { RECEIVER_URL, seedHealthyOrg } from './support/org-fixtures';

describe('the Genesys client: the real SDK through its gateway setting', () => {
  isolateGenesysSdk();
  let fake: FakeGenesys;
  const retries: Array<{ operation: string; reason: string; waitMs?: number }> = [];

  const client = (options: { maxTries?: number; maxRetryAfterMs?: number } = {}) =>
    new GenesysClient({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      apiUrl: fake.url,
      baseDelayMs: 20,
      maxDelayMs: 2000,
      onRetry: (info) => retries.push(info),
      ...options,
    });

  beforeEach(async () => {
    retries.length = 0;
    fake = await startFakeGenesys({ maxPageSize: 2 });
    seedHealthyOrg(fake.state);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('logs in again when a token stops working (401 after a few calls)', async () => {
    await fake.close();
    fake = await startFakeGenesys({ maxPageSize: 2, tokenCalls: 3 });
    seedHealthyOrg(fake.state);

    const io = await runCli(testIo(genesysEnv(fake)), [
      'genesys',
      'verify',
      '--receiver-url',
      RECEIVER_URL,
    ]);

    expect(io.exitCode).toBe(0);
    expect(fake.state.logins).toBeGreaterThan(2);
    expect(fake.state.calls.filter((call) => call.status === 401).length).toBeGreaterThan(1);
  });

  it('logs in again before a call when the token is about to expire', async () => {
    await fake.close();
    fake = await startFakeGenesys({ tokenExpiresInSeconds: 30 });
    seedHealthyOrg(fake.state);
    const directory = new GenesysDirectory(client());

    await directory.triggers();
    await directory.workflows();

    // 30 s is inside the renewal margin: every call starts with a fresh login, no 401 seen.
    expect(fake.state.logins).toBe(2);
    expect(fake.state.calls.some((call) => call.status === 401)).toBe(false);
  });

  it('waits out a 429 for at least its Retry-After, then succeeds', async () => {
    fake.state.failNext('GET', '/api/v2/processautomation/triggers', {
      status: 429,
      retryAfter: '1',
    });
    const started = Date.now();

    const triggers = await new GenesysDirectory(client()).triggers();

    expect(triggers).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(retries).toEqual([
      expect.objectContaining({ operation: 'list triggers', waitMs: 1000 }),
    ]);
    expect(retries[0].reason).toContain('429 too.many.requests');
  });

  it('does not call again early when Retry-After asks for longer than it waits', async () => {
    fake.state.failNext('GET', '/api/v2/flows', { status: 429, retryAfter: '600' });
    const started = Date.now();

    const flows = new GenesysDirectory(client()).workflows();

    await expect(flows).rejects.toMatchObject({ status: 429, retryAfterMs: 600_000 });
    expect(retries).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries 5xx and a 429 at login', async () => {
    fake.state.failNext('POST', '/oauth/token', { status: 429, retryAfter: '0' });
    fake.state.failNext('GET', '/api/v2/integrations', { status: 503, times: 2 });

    const integrations = await new GenesysDirectory(client()).integrations();

    expect(integrations).toHaveLength(3);
    expect(retries.map((retry) => retry.operation)).toEqual([
      'log in',
      'list integrations',
      'list integrations',
    ]);
  });

  it('gives up after its tries with the Genesys error, and does not retry a 4xx', async () => {
    fake.state.failNext('GET', '/api/v2/flows', { status: 500, times: 10 });
    const flows = new GenesysDirectory(client({ maxTries: 3 })).workflows();
    await expect(flows).rejects.toBeInstanceOf(GenesysApiError);
    await expect(flows).rejects.toMatchObject({ status: 500, operation: 'list workflows' });

    retries.length = 0;
    const genesys = client();
    const missing = genesys.call('read trigger', () =>
      genesys.processAutomation.getProcessautomationTrigger('no-such-trigger'),
    );
    await expect(missing).rejects.toThrow(
      'read trigger: Genesys answered 404 not.found: Trigger not found.',
    );
    expect(retries).toEqual([]);
  });

  it('reads region keys and hosts', () => {
    expect(regionHost('eu_central_1')).toBe('mypurecloud.de');
    expect(regionHost('eu-central-1')).toBe('mypurecloud.de');
    expect(regionHost('mypurecloud.ie')).toBe('mypurecloud.ie');
    expect(() => regionHost('mars')).toThrow(/neither a region key/);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
  });
});
