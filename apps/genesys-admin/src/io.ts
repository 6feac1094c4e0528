import { createLogger, type Logger } from '@webhook-dlq/runtime';

/**
 * Everything a command touches outside itself. `main.ts` wires it to the process; tests pass
 * their own to read the output and to interrupt a command.
 */
export interface CliIo {
  /** One line of the command's result (stdout). */
  out(text: string): void;
  /** One line of commentary: notes, warnings, progress (stderr). */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The process exits with this; commands raise it when a check or step fails. */
  exitCode: number;
  /** Where JSON log lines go (audit records, retries). Stderr in the CLI. */
  logStream?: NodeJS.WritableStream;
  /** A terminal to draw a progress bar on; none when output is not a terminal. */
  progressStream?: NodeJS.WritableStream;
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt?(handler: () => void): () => void;
  /** The OS user, the default actor of audit records. */
  osUser?: string;
}

/** Marks a failed check or step: the command still finishes, then exits non-zero. */
export function fail(io: CliIo, code = 1): void {
  io.exitCode = Math.max(io.exitCode, code);
}

/** JSON log lines on stderr; `secrets` are masked should one ever reach a line. */
export function cliLogger(io: CliIo, level: string, secrets: string[] = []): Logger {
  return createLogger({
    service: 'genesys-admin',
    level,
    stream: io.logStream ?? process.stderr,
    secrets: secrets.filter(Boolean),
  });
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A check or step result as one line: ✔/✘, a label and the reason. */
export function checkLine(ok: boolean, label: string, reason: string): string {
  return `${ok ? '✔' : '✘'} ${label}${reason ? ` — ${reason}` : ''}`;
}

/** Left-aligned text columns, for tables in the terminal. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

/** "3h 12m" for a span of milliseconds; the largest two units. */
export function humanAge(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || (unit === 's' && parts.length === 0)) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
