// The processes a bench or chaos run starts: each one's output kept (its tail, for the report
// when something goes wrong), and every one of them stopped when the run ends, however it ends.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Preloaded into every child: when our end of its stdin closes (this run ended, even by
 * SIGKILL) the child sends itself SIGTERM, so nothing outlives the run. The one exception is
 * a child frozen with SIGSTOP at that moment (sqs-freeze holds the SQS server so for 10 s):
 * it cannot act until someone continues it.
 */
const EXIT_WITH_PARENT = pathToFileURL(
  join(REPO_ROOT, 'tools', 'launcher', 'exit-with-parent.mjs'),
).href;

const TAIL_LINES = 300;

/** Children that have not exited yet. */
const running = new Set();

/** Where every child's whole output goes, when asked for; otherwise only its tail is kept. */
let logFolder;

export function keepLogsIn(folder) {
  mkdirSync(folder, { recursive: true });
  logFolder = folder;
}

export class Child {
  /**
   * Starts `node <script> <args>` with only the variables given (plus PATH and HOME), so
   * nothing from the shell that ran us changes what is measured.
   */
  constructor(name, script, { args = [], env = {}, onLine } = {}) {
    this.name = name;
    this.tail = [];
    this.listeners = new Set(onLine ? [onLine] : []);
    this.startedAt = performance.now();
    this.paused = false;
    this.process = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, script, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_PROXY: '127.0.0.1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.pid = this.process.pid;
    running.add(this);
    if (logFolder) {
      const file = createWriteStream(join(logFolder, `${name}-${this.pid}.log`));
      this.listeners.add((line) => file.write(`${line}\n`));
      this.process.once('exit', () => file.end());
    }

    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        running.delete(this);
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.process.once('error', (error) => {
        running.delete(this);
        this.exit = { code: null, signal: null, error };
        resolve(this.exit);
      });
    });
    // Every line is read to the end: a child whose stdout pipe fills or breaks would stall
    // or crash, which is not what a run is measuring.
    for (const stream of [this.process.stdout, this.process.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.keep(line));
    }
  }

  get alive() {
    return this.exit === undefined;
  }

  keep(line) {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    for (const listener of this.listeners) listener(line);
  }

  /** The first line that parses as JSON and satisfies `test`, or a rejection naming why not. */
  waitForJsonLine(test, timeoutMs) {
    return new Promise((resolve, reject) => {
      const finish = (error, value) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve(value);
      };
      const listener = (line) => {
        const parsed = parseJson(line);
        if (parsed !== undefined && test(parsed)) finish(undefined, parsed);
      };
      const timer = setTimeout(
        () =>
          finish(new Error(`${this.name} did not print the expected line:\n${this.describe()}`)),
        timeoutMs,
      );
      this.listeners.add(listener);
      this.exited.then(() =>
        finish(new Error(`${this.name} exited before it was ready:\n${this.describe()}`)),
      );
    });
  }

  /** Its exit and the last lines it printed, for an error message. */
  describe() {
    const state = this.exit ? `exit ${JSON.stringify(this.exit)}` : 'still running';
    return [
      `--- ${this.name} (pid ${this.pid}, ${state}); last lines:`,
      ...this.tail.slice(-40),
    ].join('\n');
  }

  /** Freezes the process (SIGSTOP): sockets stay open, nothing is answered. */
  pause() {
    if (!this.alive) return;
    this.process.kill('SIGSTOP');
    this.paused = true;
  }

  resume() {
    if (!this.alive) return;
    this.process.kill('SIGCONT');
    this.paused = false;
  }

  /** SIGKILL, as a crash or an OOM kill; resolves once it is gone. */
  async kill() {
    if (this.alive) this.process.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 10_000) {
    if (!this.alive) return this.exit;
    if (this.paused) this.resume();
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Largest resident set the process has had so far, in KiB (Linux `VmHWM`). */
  async peakRssKib() {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (!match) throw new Error(`no VmHWM for ${this.name}`);
    return Number(match[1]);
  }
}

/** Stops every child still running, at once; SIGKILL for any that outlast `graceMs`. */
export async function stopAll(graceMs = 10_000) {
  await Promise.all([...running].map((child) => child.stop(graceMs)));
}

export function runningChildren() {
  return [...running];
}

/**
 * Makes sure no child outlives this process: on a normal exit, an uncaught error, or Ctrl-C.
 * `cleanup` runs first on a signal, with the chance to stop children in order.
 */
export function stopChildrenOnExit(cleanup = () => stopAll(3000)) {
  process.once('exit', () => {
    for (const child of running) {
      // A frozen process would take a pending SIGKILL only once continued; be sure.
      child.process.kill('SIGCONT');
      child.process.kill('SIGKILL');
    }
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ]) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process this run started\n`);
      Promise.resolve(cleanup()).finally(() => process.exit(code));
    });
  }
}

/** Polls `url` until it answers 200; rejects if `child` exits first or time runs out. */
export async function waitForOk(url, child, timeoutMs = 15_000, intervalMs = 20) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child && !child.alive) throw new Error(`${child.name} exited:\n${child.describe()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.ok;
      },
      () => false,
    );
    if (ok) return;
    await sleep(intervalMs);
  }
  throw new Error(
    `${url} did not answer 200 in ${timeoutMs} ms${child ? `\n${child.describe()}` : ''}`,
  );
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function parseJson(line) {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
