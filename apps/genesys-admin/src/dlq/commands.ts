import { type Command, InvalidArgumentError, Option } from 'commander';
import type { QueueDepth } from '@webhook-dlq/sqs';
import { loadQueueConfig } from '../config';
import { type CliIo, fail, humanAge, printJson, table } from '../io';
import { type FilterFlags, PARK_REASONS, parseFilter } from './filters';
import { peekQueue, scanParked } from './inspect';
import { runMove } from './move-command';
import { HOLD_SECONDS, type MoveFlags, openQueues, WAIT_SECONDS } from './queues';

/** Peeked DLQ messages are the worker's: hold them briefly, in case release fails. */
const PEEK_DLQ_SECONDS = 30;

export function addFilterOptions(command: Command): Command {
  return command
    .option('--topic <topic>', 'topic, or pattern with {id} or * for one segment')
    .option('--event-id <id>', 'one event')
    .option('--since <time>', 'parked at or after: ISO 8601 time, or a span such as 6h, 2d')
    .addOption(new Option('--reason <reason>', 'why it was parked').choices([...PARK_REASONS]));
}

export function addDlqCommands(program: Command, io: CliIo): void {
  const dlq = program.command('dlq').description('the retry queue (DLQ) and the parking queue');

  dlq
    .command('stats')
    .description('depth and in-flight count of the DLQ and the parking queue')
    .option('--scan', 'also count parked messages by reason and topic (receives each once)')
    .option('--json', 'print JSON')
    .action(async (options: { scan?: boolean; json?: boolean }) => {
      const { dlq: retry, parked } = await openQueues(loadQueueConfig(io.env));
      const depths: Record<string, QueueDepth> = {
        dlq: await retry.depth(),
        parked: await parked.depth(),
      };
      if (!options.scan) {
        if (options.json) return printJson(io, depths);
        return printDepths(io, depths);
      }

      io.err(
        'Scanning the parking queue: every parked message is received once and released at ' +
          'once, so its receive count goes up by one and it is hidden for a moment.',
      );
      const walk = { visibilitySeconds: HOLD_SECONDS, waitTimeSeconds: WAIT_SECONDS };
      const scan = await whileInterruptible(io, (signal) =>
        scanParked(parked, { ...walk, signal }),
      );
      if (scan.notReleased > 0) fail(io);
      if (options.json) return printJson(io, { ...depths, parkedScan: scan });

      printDepths(io, depths);
      io.out('');
      io.out(`parked messages scanned: ${scan.scanned}`);
      if (scan.oldestParkedAt) {
        const age = humanAge((scan.oldestParkedAgeSeconds ?? 0) * 1000);
        io.out(`oldest parked: ${scan.oldestParkedAt} (${age} ago)`);
      }
      printCounts(io, 'reason', scan.byReason);
      printCounts(io, 'topic', scan.byTopic);
      if (scan.notReleased > 0) {
        io.out(
          `✘ ${scan.notReleased} could not be released; ` +
            `they reappear within ${HOLD_SECONDS} s`,
        );
      }
    });

  addFilterOptions(
    dlq
      .command('peek')
      .description('show queued envelopes (identity, topic, attempts, last error) and release them')
      .addOption(
        new Option('--queue <queue>', 'which queue').choices(['dlq', 'parked']).default('parked'),
      )
      .option('--limit <n>', 'show at most this many', (v) => positiveInt(v, '--limit'), 10),
  )
    .option('--show-body', 'include the event body (personal data masked)')
    .option('--unmasked', 'with --show-body: do not mask personal data')
    .option('--json', 'print JSON')
    .action(async (options: PeekFlags) => {
      const filter = parseFilter(options);
      const queues = await openQueues(loadQueueConfig(io.env));
      const queue = options.queue === 'dlq' ? queues.dlq : queues.parked;
      io.err(
        'Peeking counts as a receive in SQS: each message looked at is received once and ' +
          'released at once (its receive count goes up by one' +
          (options.queue === 'dlq' ? '; the DLQ redrive policy counts it' : '') +
          ').',
      );
      const peeked = await whileInterruptible(io, (signal) =>
        peekQueue(queue, {
          limit: options.limit,
          filter,
          showBody: Boolean(options.showBody),
          unmasked: Boolean(options.unmasked),
          visibilitySeconds: options.queue === 'dlq' ? PEEK_DLQ_SECONDS : HOLD_SECONDS,
          waitTimeSeconds: WAIT_SECONDS,
          signal,
        }),
      );
      if (peeked.notReleased > 0) fail(io);
      if (options.json) return printJson(io, { queue: queue.name, ...peeked });

      if (peeked.messages.length === 0) io.out(`no matching messages on ${queue.name}`);
      const sent = options.queue === 'parked' ? 'parked' : 'queued';
      for (const message of peeked.messages) {
        const parts = [
          message.eventId ?? '(no event id)',
          message.topic ?? '(no topic)',
          message.attempts === undefined ? '' : `attempts ${message.attempts}`,
          message.parkReason ?? '',
          `${sent} ${message.sentAt}`,
        ];
        io.out(parts.filter(Boolean).join('  '));
        const error = message.lastError ?? message.parkError;
        const status = message.lastStatusCode ? ` (${message.lastStatusCode})` : '';
        if (error) io.out(`  last error: ${error}${status}`);
        if (message.body !== undefined) io.out(`  body: ${JSON.stringify(message.body)}`);
      }
    });

  addFilterOptions(
    dlq
      .command('replay')
      .description('move matching parked messages back onto the DLQ with a fresh attempt budget')
      .addOption(
        new Option('--from <queue>', 'where from').choices(['parked']).makeOptionMandatory(),
      ),
  )
    .option('--dry-run', 'list what would be replayed and change nothing')
    .option('--rate <n>', 'messages per second at most', (v) => positiveNumber(v, '--rate'), 10)
    .option('--actor <name>', 'who replays, for the audit record (default: the OS user)')
    .option('--json', 'print JSON')
    .action((options: MoveFlags) => runMove(io, 'replay', options));

  addFilterOptions(
    dlq
      .command('purge')
      .description('delete matching parked messages for good (needs --yes)')
      .addOption(
        new Option('--queue <queue>', 'which queue').choices(['parked']).makeOptionMandatory(),
      ),
  )
    .option('--yes', 'really delete')
    .option('--dry-run', 'list what would be deleted and change nothing')
    .option('--actor <name>', 'who purges, for the audit record (default: the OS user)')
    .option('--json', 'print JSON')
    .action((options: MoveFlags) => runMove(io, 'purge', options));
}

interface PeekFlags extends FilterFlags {
  queue: 'dlq' | 'parked';
  limit: number;
  showBody?: boolean;
  unmasked?: boolean;
  json?: boolean;
}

/** Runs a walk that Ctrl-C stops early; what it holds is released either way. */
async function whileInterruptible<T>(io: CliIo, run: (signal: AbortSignal) => Promise<T>) {
  const interrupt = new AbortController();
  const stopListening = io.onInterrupt?.(() => interrupt.abort());
  try {
    return await run(interrupt.signal);
  } finally {
    stopListening?.();
    if (interrupt.signal.aborted) {
      io.err('Interrupted: what follows is partial; every message looked at was released.');
      fail(io, 130);
    }
  }
}

function printDepths(io: CliIo, depths: Record<string, QueueDepth>): void {
  const rows = [['queue', 'visible', 'in-flight', 'delayed']];
  for (const [role, depth] of Object.entries(depths)) {
    rows.push([role, String(depth.visible), String(depth.inFlight), String(depth.delayed)]);
  }
  table(rows).forEach((line) => io.out(line));
}

function printCounts(io: CliIo, what: string, counts: Record<string, number>): void {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return;
  io.out(`by ${what}:`);
  const lines = table(rows.map(([key, count]) => [`  ${String(count).padStart(6)}`, key]));
  lines.forEach((line) => io.out(line));
}

function positiveInt(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`${flag} must be a whole number of at least 1.`);
  }
  return parsed;
}

function positiveNumber(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(`${flag} must be a number above 0.`);
  }
  return parsed;
}
