import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { eventually, freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';
import type { FakeGenesys } from './fake-genesys/server';
import { CLIENT_SECRET, genesysEnv, startFakeGenesys } from './support/fake-genesys-env';
import { WORKFLOW_NAME } from './support/org-fixtures';
import {
  eventIds,
  everything,
  park,
  parkedEnvelope,
  queueEnv,
  sampleEvent,
} from './support/parked';

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'apps', 'genesys-admin', 'main.js');

/** The built CLI as its own process, as an operator runs it. */
class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_PROXY: '127.0.0.1,localhost', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('the built genesys-admin CLI as a process', () => {
  let home: string;
  const running: CliProcess[] = [];
  const start = (args: string[], env: Record<string, string>) => {
    const cli = new CliProcess(args, { HOME: home, ...env });
    running.push(cli);
    return cli;
  };

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run nx build genesys-admin first.`);
    home = mkdtempSync(join(tmpdir(), 'genesys-admin-cli-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((cli) => cli.kill()));
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  describe('dlq replay, interrupted with SIGINT', () => {
    let dlq: SqsQueue;
    let parked: SqsQueue;
    let env: Record<string, string>;

    beforeEach(async () => {
      const queues = await freshQueues(testSqsClient());
      ({ dlq, parked } = queues);
      env = queueEnv(queues);
    });

    it('finishes the message in hand and stops: every message on exactly one queue', async () => {
      const total = 30;
      for (let n = 1; n <= total; n += 1) {
        await park(parked, parkedEnvelope(sampleEvent(n)), 'exhausted');
      }

      const cli = start(['dlq', 'replay', '--from', 'parked', '--rate', '5'], env);
      const started = await eventually(
        () => dlq.depth(),
        (depth) => depth.visible >= 3,
        20_000,
      );
      expect(started.visible).toBeGreaterThanOrEqual(3);
      cli.signal('SIGINT');

      expect(await cli.exited).toBe(130);
      const after = await everything(dlq, parked);
      const replayed = eventIds(after.dlq);
      const left = eventIds(after.parked);
      expect(replayed.length).toBeGreaterThanOrEqual(3);
      expect(replayed.length).toBeLessThan(total);
      expect(replayed.filter((id) => left.includes(id))).toEqual([]);
      expect([...replayed, ...left].sort()).toEqual(
        Array.from({ length: total }, (_, i) => `event-end-${i + 1}`).sort(),
      );
      expect(cli.stdout).toContain('stopped by Ctrl-C; the message in hand was finished');
      expect(cli.stderr).toContain('"audit":"dlq replay"');
    });
  });

  describe('secrets', () => {
    let fake: FakeGenesys;

    beforeEach(async () => {
      fake = await startFakeGenesys();
      fake.state.addWorkflow(WORKFLOW_NAME);
      // The SDK's own config file asks for full request logging; the tool must not obey.
      mkdirSync(join(home, '.genesyscloudjavascript'), { recursive: true });
      writeFileSync(
        join(home, '.genesyscloudjavascript', 'config'),
        '[logging]\nlog_level = trace\nlog_to_console = true\nlog_request_body = true\n',
      );
    });

    afterEach(async () => {
      await fake.close();
    });

    it('never prints the client secret or the receiver token, even at debug level', async () => {
      const token = 'receiver-token-never-printed-91c4';
      const cli = start(
        ['genesys', 'ensure', '--receiver-url', 'https://receiver.example.org/webhooks/genesys'],
        { ...genesysEnv(fake, { RECEIVER_AUTH_TOKEN: token }), LOG_LEVEL: 'debug' },
      );

      expect(await cli.exited).toBe(0);
      expect(cli.stdout).toContain('+ create  receiver credential');
      const printed = cli.stdout + cli.stderr;
      expect(printed).not.toContain(token);
      expect(printed).not.toContain(CLIENT_SECRET);
      expect(printed).not.toMatch(/Authorization|Bearer fake-token/);
      expect([...fake.state.credentials.values()][0].credentialFields).toEqual({ token });
    });
  });
});
