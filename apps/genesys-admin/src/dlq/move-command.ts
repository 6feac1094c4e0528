import { SingleBar } from 'cli-progress';
import { loadQueueConfig } from '../config';
import { type CliIo, cliLogger, fail, printJson } from '../io';
import { describeFilter, type MessageFilter, parseFilter } from './filters';
import { type MoveOptions, type MoveResult, purgeParked, replayParked } from './move';
import { HOLD_SECONDS, type MoveFlags, openQueues, WAIT_SECONDS } from './queues';

const PAST = { replay: 'replayed', purge: 'purged' } as const;

/** Exit code after Ctrl-C, as shells report a process stopped by SIGINT. */
const INTERRUPTED_EXIT_CODE = 130;

/** `dlq replay` and `dlq purge`: confirm, walk with a progress bar, audit, report. */
export async function runMove(
  io: CliIo,
  verb: 'replay' | 'purge',
  flags: MoveFlags,
): Promise<void> {
  const filter = parseFilter(flags);
  if (verb === 'purge' && !flags.yes && !flags.dryRun) {
    io.err(
      'dlq purge deletes parked messages for good and needs --yes. ' +
        'Run it with --dry-run first to see what it would delete.',
    );
    fail(io);
    return;
  }

  const config = loadQueueConfig(io.env);
  const logger = cliLogger(io, config.LOG_LEVEL);
  const { dlq, parked } = await openQueues(config);
  const actor = flags.actor ?? io.osUser ?? 'unknown';

  const interrupt = new AbortController();
  const stopListening = io.onInterrupt?.(() => {
    if (!interrupt.signal.aborted) {
      io.err('Stopping: finishing the message in hand, then releasing the rest.');
    }
    interrupt.abort();
  });

  io.err(
    `Walking ${parked.name}: every message is received once; those not ${PAST[verb]} are ` +
      'released at the end (their receive count goes up by one).',
  );
  const bar = progressBar(io, flags, verb, (await parked.depth()).visible);
  const options: MoveOptions = {
    filter,
    dryRun: Boolean(flags.dryRun),
    signal: interrupt.signal,
    visibilitySeconds: HOLD_SECONDS,
    waitTimeSeconds: WAIT_SECONDS,
    onProgress: (p) => {
      if (!bar) return;
      if (p.scanned > bar.getTotal()) bar.setTotal(p.scanned);
      bar.update(p.scanned, { matched: p.matched, done: p.done });
    },
  };

  let result: MoveResult;
  try {
    result =
      verb === 'replay'
        ? await replayParked(parked, dlq, { ...options, actor, ratePerSecond: flags.rate ?? 10 })
        : await purgeParked(parked, options);
  } finally {
    bar?.stop();
    stopListening?.();
  }

  const queues = { from: parked.name, to: dlq.name };
  const audit = auditRecord(verb, actor, filter, result, queues, options.dryRun);
  logger.info('audit', audit);

  if (result.interrupted) fail(io, INTERRUPTED_EXIT_CODE);
  if (result.failure || result.skipped.length > 0 || result.notReleased > 0) fail(io);
  if (flags.json) return printJson(io, { ...result, audit });
  printResult(io, verb, result, audit);
}

function auditRecord(
  verb: 'replay' | 'purge',
  actor: string,
  filter: MessageFilter,
  result: MoveResult,
  queues: { from: string; to: string },
  dryRun: boolean,
) {
  return {
    audit: `dlq ${verb}`,
    actor,
    at: new Date().toISOString(),
    filter: describeFilter(filter),
    dry_run: dryRun,
    from_queue: queues.from,
    ...(verb === 'replay' ? { to_queue: queues.to } : {}),
    scanned: result.scanned,
    matched: result.matched,
    count: result.done,
    skipped: result.skipped.length,
    duplicates: result.duplicates,
    parked_again: result.parkedAgain,
    interrupted: result.interrupted,
    ...(result.failure ? { failure: result.failure } : {}),
  };
}

function printResult(
  io: CliIo,
  verb: 'replay' | 'purge',
  result: MoveResult,
  audit: ReturnType<typeof auditRecord>,
): void {
  const done = verb === 'replay' ? 'replayed onto the DLQ' : 'purged';
  if (audit.dry_run) {
    io.out(
      `dry run: ${result.matched} of ${result.scanned} parked messages match; nothing changed`,
    );
    for (const match of result.matches) {
      const what = [match.eventId ?? '(no event id)', match.topic, match.parkReason];
      io.out(`  ${[...what.filter(Boolean), `parked ${match.parkedAt}`].join('  ')}`);
    }
  } else {
    io.out(
      `${result.done} of ${result.matched} matching parked messages ${done} ` +
        `(${result.scanned} scanned)`,
    );
  }
  for (const skipped of result.skipped) {
    io.out(`✘ skipped ${skipped.eventId ?? skipped.messageId}: ${skipped.reason}`);
  }
  if (result.duplicates > 0) {
    io.out(
      `✘ ${result.duplicates} replayed but could not be deleted from the parking queue: ` +
        'they are on both queues, with the same identity',
    );
  }
  if (result.parkedAgain > 0) {
    const count = result.parkedAgain;
    const which = count === 1 ? 'an event it replayed' : 'events it replayed';
    io.out(`${count} parked again during this run (${which} failed again): left parked`);
  }
  if (result.interrupted) io.out('stopped by Ctrl-C; the message in hand was finished');
  if (result.failure) io.out(`✘ stopped: ${result.failure}`);
  if (result.notReleased > 0) {
    io.out(
      `✘ ${result.notReleased} held messages could not be released; ` +
        `they reappear within ${HOLD_SECONDS} s`,
    );
  }
  const filter =
    Object.entries(audit.filter)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'none';
  io.out(
    `audit: ${audit.actor} ${audit.audit} at ${audit.at}, filter ${filter}, ` +
      `count ${audit.count}${audit.dry_run ? ' (dry run)' : ''}`,
  );
}

function progressBar(
  io: CliIo,
  flags: MoveFlags,
  verb: string,
  total: number,
): SingleBar | undefined {
  if (!io.progressStream || flags.json) return undefined;
  const bar = new SingleBar({
    stream: io.progressStream,
    format: `${verb} [{bar}] {value}/{total} scanned, {matched} matched, {done} done`,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(Math.max(total, 1), 0, { matched: 0, done: 0 });
  return bar;
}
