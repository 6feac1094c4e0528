import { PassThrough } from 'node:stream';
import { createLogger } from '@webhook-dlq/runtime';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { eventually, freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';
import { loadServeConfig } from '../src/config';
import { type RunningServe, startServe } from '../src/serve/command';
import type { FakeGenesys } from './fake-genesys/server';
import { genesysEnv, isolateGenesysSdk, startFakeGenesys } from './support/fake-genesys-env';
import { RECEIVER_URL, seedHealthyOrg } from './support/org-fixtures';
import { queueEnv, useLocalAwsCredentials } from './support/parked';

interface Status {
  ok: boolean;
  checked_at: string | null;
  checks: Array<{ id: string; ok: boolean }>;
  queues: Record<string, { visible: number }> | null;
}

describe('genesys-admin serve: verify on a schedule, /status, /metrics, /healthz', () => {
  isolateGenesysSdk();
  useLocalAwsCredentials();
  let fake: FakeGenesys;
  let serve: RunningServe;
  let dlq: SqsQueue;
  const logLines: string[] = [];

  beforeEach(async () => {
    fake = await startFakeGenesys();
    const queues = await freshQueues(testSqsClient());
    dlq = queues.dlq;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().trim().split('\n')));
    const config = loadServeConfig({
      ...genesysEnv(fake),
      ...queueEnv(queues),
      RECEIVER_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      VERIFY_INTERVAL_SECONDS: '1',
    });
    serve = await startServe(config, createLogger({ service: 'test', level: 'info', stream }));
  });

  afterEach(async () => {
    await serve.stop();
    await fake.close();
  });

  const status = async () => (await (await fetch(`${serve.url}/status`)).json()) as Status;

  it('reports checks and queue depths, and follows drift on the next run', async () => {
    const org = seedHealthyOrg(fake.state);
    await dlq.send({ body: 'waiting' });

    const healthy = await eventually(status, (s) => s.ok && s.queues?.dlq.visible === 1);
    expect(healthy.checks.every((check) => check.ok)).toBe(true);
    expect(healthy.checks.map((check) => check.id)).toContain('data-action-url');

    fake.state.integrations.get(org.dataActions.id ?? '')!.intendedState = 'DISABLED';
    const drifted = await eventually(status, (s) => !s.ok);
    expect(drifted.checks.find((check) => check.id === 'data-action-integration')?.ok).toBe(false);

    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toContain('genesys_admin_check_ok{check="data-action-integration"} 0');
    expect(metrics).toContain('genesys_admin_check_ok{check="credentials"} 1');
    expect(metrics).toContain('genesys_admin_queue_messages{queue="dlq",state="visible"} 1');
    expect(metrics).toContain('genesys_admin_verify_ok 0');

    const health = await fetch(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
    expect(logLines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: 'status checked', outcome: 'failing' }),
    );
  });

  it('keeps serving when Genesys is unreachable, and says so in /status', async () => {
    await fake.close();

    const failing = await eventually(status, (s) => s.checked_at !== null, 15_000);

    expect(failing.ok).toBe(false);
    expect(failing.checks[0]).toMatchObject({ id: 'credentials', ok: false });
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  });
});
