import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from './sqs-kit';

/** A built app (dist/apps/<name>/main.js) running as its own process, as in production. */
export class AppProcess {
  readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(name: string, env: Record<string, string>): AppProcess {
    const main = join(__dirname, '..', '..', 'dist', 'apps', name, 'main.js');
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NO_PROXY: '127.0.0.1,localhost',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(name, child);
  }

  /** Resolves once `url` answers 200; rejects with the app's output if it does not in time. */
  async waitUntilReady(url: string, timeoutMs = 15_000): Promise<void> {
    const ok = await eventually(
      () =>
        fetch(url).then(
          (response) => response.ok,
          () => false,
        ),
      Boolean,
      timeoutMs,
    );
    if (!ok) throw new Error(`${this.name} did not become ready:\n${this.lines.join('\n')}`);
  }

  /** Parsed JSON log lines. */
  logs(): Array<Record<string, unknown>> {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Kills the process outright (SIGKILL), as a crash or an OOM kill would. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Resolves with the exit code once the process ends by itself. */
  exitCode(): Promise<number | null> {
    return this.exited;
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
