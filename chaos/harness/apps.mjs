// The built receiver and dlq-worker, each started as its own process the way a Deployment runs
// it, configured only through its environment.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, REPO_ROOT, sleep, waitForOk } from './children.mjs';

const APPS = ['receiver', 'dlq-worker'];

/**
 * Copies the built bundles somewhere private for the length of the run. Others build into
 * dist/ on this machine while we run, and a build deletes the folder first; a copy keeps every
 * process of one run on the same code. A bundle missing at the start may be a build in
 * progress: it gets a minute to appear. The bundles leave their dependencies out, so children
 * find them through NODE_PATH.
 */
export async function snapshotBundles() {
  const built = (app) => join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
  for (let waited = 0; APPS.some((app) => !existsSync(built(app))); waited += 1) {
    if (waited === 60) {
      const missing = APPS.filter((app) => !existsSync(built(app)));
      throw new Error(
        `no build of ${missing.join(', ')}: run NX_DAEMON=false npx nx run-many -t build -p ` +
          `${APPS.join(' ')}`,
      );
    }
    await sleep(1000);
  }

  const folder = mkdtempSync(join(tmpdir(), 'webhook-dlq-run-'));
  const bundles = {};
  for (const app of APPS) {
    for (const file of ['main.js', 'main.js.map']) {
      const from = join(REPO_ROOT, 'dist', 'apps', app, file);
      if (existsSync(from)) copyFileSync(from, join(folder, `${app}.${file}`));
    }
    bundles[app] = join(folder, `${app}.main.js`);
  }
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return bundles;
}

const NODE_PATH = join(REPO_ROOT, 'node_modules');

/** The API key the receivers of this run accept: made up per run, known to no one else. */
const API_KEY = randomBytes(24).toString('base64url');

/** What a caller the receiver admits sends with every request. */
export const CALLER_HEADERS = { 'x-api-key': API_KEY };

/**
 * The receiver's side of that, and a metrics port of its own (its default is fixed, and a run
 * may start several receivers).
 */
const RECEIVER_DEFAULTS = { AUTH_API_KEYS: API_KEY, METRICS_PORT: '0' };

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the receiver on a free port and resolves once /readyz answers 200 (the DLQ resolved),
 * with the time that took from the spawn.
 */
export async function startReceiver(bundles, env, name = 'receiver') {
  const port = await freePort();
  const child = new Child(name, bundles.receiver, {
    env: { NODE_PATH, HOST: '127.0.0.1', PORT: String(port), ...RECEIVER_DEFAULTS, ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/readyz`, child, 20_000, 10);
  return { child, url, readyMs: performance.now() - child.startedAt };
}

/** Starts a worker with its health server on a free port; resolves once /readyz answers 200. */
export async function startWorker(bundles, env, name = 'dlq-worker', onLine = undefined) {
  const port = await freePort();
  const child = new Child(name, bundles['dlq-worker'], {
    env: { NODE_PATH, HOST: '127.0.0.1', HEALTH_PORT: String(port), ...env },
    onLine,
  });
  const healthUrl = `http://127.0.0.1:${port}`;
  await waitForOk(`${healthUrl}/readyz`, child, 20_000, 10);
  return { child, healthUrl, readyMs: performance.now() - child.startedAt };
}
