import { userInfo } from 'node:os';
import { describeError } from '@webhook-dlq/runtime';
import { buildCli } from './cli';
import type { CliIo } from './io';

const VERSION = '0.1.0';

const interruptHandlers = new Set<() => void>();
let interrupts = 0;

// The first Ctrl-C (or SIGTERM) goes to the running command: replay finishes the message
// in hand, serve shuts down. A second one, or one while no command listens, ends the
// process at once.
function interrupted(signal: NodeJS.Signals, exitCode: number): void {
  interrupts += 1;
  if (interruptHandlers.size === 0 || interrupts > 1) {
    process.stderr.write(`genesys-admin: stopped by ${signal}\n`);
    process.exit(exitCode);
  }
  interruptHandlers.forEach((handler) => handler());
}
process.on('SIGINT', () => interrupted('SIGINT', 130));
process.on('SIGTERM', () => interrupted('SIGTERM', 143));

const io: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  exitCode: 0,
  logStream: process.stderr,
  progressStream: process.stderr.isTTY ? process.stderr : undefined,
  onInterrupt: (handler) => {
    interruptHandlers.add(handler);
    return () => interruptHandlers.delete(handler);
  },
  osUser: currentUser(),
};

buildCli(io, VERSION)
  .parseAsync(process.argv)
  .then(
    () => {
      process.exitCode = io.exitCode;
    },
    (error: unknown) => {
      process.stderr.write(`genesys-admin: ${describeError(error)}\n`);
      process.exitCode = Math.max(io.exitCode, 1);
    },
  );

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}
