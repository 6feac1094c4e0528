import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGenesys } from '../fake-genesys/server';
import type { FakeGenesysOptions } from '../fake-genesys/state';

export const CLIENT_ID = 'admin-client';
export const CLIENT_SECRET = 'very-secret-value-0f3c9a';

/**
 * Keeps the Genesys SDK local for one test file: HOME at an empty folder (the SDK reads its
 * config file there) and no proxy for loopback calls. Call in the file's top-level describe.
 */
export function isolateGenesysSdk(): void {
  const saved = { HOME: process.env.HOME, NO_PROXY: process.env.NO_PROXY };
  let home = '';
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'genesys-admin-home-'));
    process.env.HOME = home;
    process.env.NO_PROXY = '127.0.0.1,localhost';
  });
  afterAll(() => {
    process.env.HOME = saved.HOME;
    if (saved.NO_PROXY === undefined) delete process.env.NO_PROXY;
    else process.env.NO_PROXY = saved.NO_PROXY;
    rmSync(home, { recursive: true, force: true });
  });
}

export async function startFakeGenesys(options: Partial<FakeGenesysOptions> = {}) {
  return FakeGenesys.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
}

/** The environment the CLI needs to reach the fake. */
export function genesysEnv(fake: FakeGenesys, extra: Record<string, string> = {}) {
  return {
    GENESYS_CLIENT_ID: CLIENT_ID,
    GENESYS_CLIENT_SECRET: CLIENT_SECRET,
    GENESYS_API_URL: fake.url,
    LOG_LEVEL: 'debug',
    ...extra,
  };
}
