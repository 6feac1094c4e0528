// One part of the local pipeline (SQS server, sample downstream, receiver, worker) as a child
// process: its output passed through line by line under its name, its exit watched.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const NAME_WIDTH = 10;

/** Preloaded into apps that have no `--exit-with-stdin` of their own; see the file. */
const EXIT_WITH_PARENT = pathToFileURL(join(import.meta.dirname, 'exit-with-parent.mjs')).href;

export function say(message) {
  process.stdout.write(`${label('launcher')} ${message}\n`);
}

export function complain(message) {
  process.stderr.write(`${label('launcher')} ${message}\n`);
}

function label(name) {
  return `[${name}]`.padEnd(NAME_WIDTH + 2);
}

/**
 * Starts `node <args>` in `cwd`. The child gets its own process group, so a Ctrl+C in the
 * terminal reaches only the launcher, which then stops the parts in order. Its stdin is a pipe
 * that closes when the launcher dies, however it dies: the parts watch it and stop too.
 */
export class Part {
  constructor(name, { script, args = [], env, cwd, preloadExitWithParent = false }) {
    this.name = name;
    const nodeArgs = preloadExitWithParent ? ['--import', EXIT_WITH_PARENT] : [];
    this.child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.exitCode = undefined;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
      this.child.once('error', (error) => {
        this.spawnError = error;
        resolve();
      });
    });

    this.firstLine = new Promise((resolve, reject) => {
      this.exited.then(() => reject(new Error(`${name} ${this.describeExit()} before it started`)));
      this.onFirstLine = resolve;
    });
    // The rejection is read by whoever waits for the first line; not every part is waited for.
    this.firstLine.catch(() => undefined);

    this.pipe(this.child.stdout, process.stdout, true);
    this.pipe(this.child.stderr, process.stderr, false);
  }

  /** Undefined when the process could not be started. */
  get pid() {
    return this.child.pid;
  }

  get running() {
    return this.exitCode === undefined && this.spawnError === undefined;
  }

  describeExit() {
    if (this.spawnError) return `could not be started (${this.spawnError.message})`;
    if (this.exitSignal) return `was ended by ${this.exitSignal}`;
    return `exited with code ${this.exitCode}`;
  }

  /** Resolves with the first line of stdout parsed as JSON; rejects if it does not come. */
  async firstJsonLine(timeoutMs) {
    let timer;
    const timeout = new Promise((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} printed nothing within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    try {
      return JSON.parse(await Promise.race([this.firstLine, timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL once `graceMs` has passed. Resolves when the process is gone. */
  async stop(graceMs) {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      complain(`${this.name} did not stop within ${graceMs / 1000} s; killing it`);
      this.kill();
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill() {
    if (this.running) this.child.kill('SIGKILL');
  }

  pipe(input, output, watchFirstLine) {
    const prefix = label(this.name);
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
      if (watchFirstLine && this.onFirstLine) {
        this.onFirstLine(line);
        this.onFirstLine = undefined;
      }
      output.write(`${prefix} ${line}\n`);
    });
  }
}
