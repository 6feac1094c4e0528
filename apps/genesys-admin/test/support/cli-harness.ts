import { PassThrough } from 'node:stream';
import { buildCli } from '../../src/cli';
import type { CliIo } from '../../src/io';

/** A CliIo that records what a command prints and logs, and can press Ctrl-C. */
export interface TestIo extends CliIo {
  lines: string[];
  errLines: string[];
  /** Parsed JSON log lines (audit records, retries). */
  logs(): Array<Record<string, unknown>>;
  interrupt(): void;
}

export function testIo(env: NodeJS.ProcessEnv): TestIo {
  const lines: string[] = [];
  const errLines: string[] = [];
  const logLines: string[] = [];
  const handlers = new Set<() => void>();
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().trim().split('\n')));

  return {
    lines,
    errLines,
    env,
    exitCode: 0,
    logStream,
    osUser: 'test-operator',
    out: (text) => lines.push(text),
    err: (text) => errLines.push(text),
    logs: () => logLines.filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    interrupt: () => handlers.forEach((handler) => handler()),
  };
}

/** Runs one command line in this process, as `genesys-admin <args>`. */
export async function runCli(io: TestIo, args: string[]): Promise<TestIo> {
  const program = buildCli(io, 'test');
  // Parse errors throw instead of ending the Jest worker.
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => io.out(text.trimEnd()),
    writeErr: (text) => io.err(text.trimEnd()),
  });
  for (const command of program.commands) {
    command.exitOverride();
    command.commands.forEach((sub) => sub.exitOverride());
  }
  await program.parseAsync(['node', 'genesys-admin', ...args]);
  return io;
}

/** The command's stdout as one JSON value. */
export function jsonOut<T = Record<string, unknown>>(io: TestIo): T {
  return JSON.parse(io.lines.join('\n')) as T;
}
