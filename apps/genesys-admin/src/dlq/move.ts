import Bottleneck from 'bottleneck';
import {
  decodeEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  EnvelopeError,
  lastAttempt,
  lastReplay,
} from '@webhook-dlq/payloads';
import { describeError } from '@webhook-dlq/runtime';
import { MessageTooLargeError, type ReceivedMessage, type SqsQueue } from '@webhook-dlq/sqs';
import { type MessageFilter, matchesFilter } from './filters';
import type { WalkSettings } from './inspect';
import { QueueWalk } from './walk';

export interface MoveOptions extends WalkSettings {
  filter: MessageFilter;
  dryRun: boolean;
  /** Ctrl-C: the message in hand is finished (sent, then deleted), nothing new is started. */
  signal: AbortSignal;
  onProgress?: (progress: { scanned: number; matched: number; done: number }) => void;
}

export interface ReplayOptions extends MoveOptions {
  actor: string;
  /** Messages moved per second at most. */
  ratePerSecond: number;
  now?: () => Date;
}

export interface MatchedMessage {
  messageId: string;
  eventId?: string;
  topic?: string;
  parkReason?: string;
  parkedAt: string;
}

export interface MoveResult {
  scanned: number;
  matched: number;
  /** Replayed onto the DLQ (and deleted from the parking queue), or purged. */
  done: number;
  skipped: Array<{ messageId: string; eventId?: string; reason: string }>;
  /** Replayed, but the parked copy could not be deleted: it is on both queues. */
  duplicates: number;
  /**
   * Events this run replayed that failed again and were parked again before it ended. Left
   * parked: replaying them too would send one event round twice in one run.
   */
  parkedAgain: number;
  interrupted: boolean;
  /** The queue call that stopped the run, if one did. */
  failure?: string;
  /** Matching messages, listed on a dry run. */
  matches: MatchedMessage[];
  notReleased: number;
}

/**
 * Moves matching parked messages back onto the DLQ, each with a replay record so the worker
 * starts a fresh attempt budget and age clock. Sends first and deletes after: a crash in
 * between leaves one duplicate with the same identity, never a loss. Copies the worker parks
 * again while the run goes on are left parked (see {@link MoveResult.parkedAgain}).
 */
export async function replayParked(
  parked: SqsQueue,
  dlq: SqsQueue,
  options: ReplayOptions,
): Promise<MoveResult> {
  const limiter = new Bottleneck({
    maxConcurrent: 1,
    minTime: Math.ceil(1000 / Math.max(options.ratePerSecond, 0.001)),
  });
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const replayedIds = new Set<string>();
  const leaveAlone = (message: ReceivedMessage) =>
    parkedAgainSince(message, startedAt, replayedIds);

  return walkMatching(parked, { ...options, leaveAlone }, async (message, walk, result) => {
    await limiter.schedule(async () => {
      // Waiting for the rate limit is not "in hand": nothing has been sent yet.
      if (options.signal.aborted) return;

      let envelope: DlqEnvelope;
      try {
        envelope = decodeEnvelope(message.body);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        const reason = `unreadable, cannot be retried as it is: ${error.message}`;
        result.skipped.push(skip(message, reason));
        return;
      }

      const replayed = withReplay(envelope, message.attributes.park_reason, options.actor, now());
      try {
        await dlq.send({
          body: encodeEnvelope(replayed),
          eventId: replayed.eventId,
          topic: replayed.topic,
          attempt: lastAttempt(replayed)?.attempt,
        });
      } catch (error) {
        // The replay record made it too big for the DLQ; it stays parked as it was.
        if (!(error instanceof MessageTooLargeError)) throw error;
        result.skipped.push(skip(message, error.message));
        return;
      }
      replayedIds.add(replayed.eventId);
      try {
        await parked.delete(walk.receiptHandleOf(message));
        walk.settle(message);
      } catch {
        result.duplicates += 1;
      }
      result.done += 1;
    });
  });
}

/** Deletes matching parked messages for good. */
export async function purgeParked(parked: SqsQueue, options: MoveOptions): Promise<MoveResult> {
  return walkMatching(parked, options, async (message, walk, result) => {
    await parked.delete(walk.receiptHandleOf(message));
    walk.settle(message);
    result.done += 1;
  });
}

/** The envelope with one more replay record and no pending delay. The input is not changed. */
export function withReplay(
  envelope: DlqEnvelope,
  parkReason: string | undefined,
  actor: string,
  at: Date,
): DlqEnvelope {
  const rest: DlqEnvelope = { ...envelope };
  delete rest.notBefore;
  const record = {
    at: at.toISOString(),
    actor,
    ...(parkReason ? { parkReason } : {}),
    attemptsBefore: lastAttempt(envelope)?.attempt ?? 0,
  };
  return { ...rest, replays: [...(envelope.replays ?? []), record] };
}

/**
 * Whether a parked message is a copy of an event this run has replayed, parked again after
 * the run began. The replay record it carries says so on this process's own clock; the
 * event id with SQS's `SentTimestamp` covers a copy that lost its history.
 */
function parkedAgainSince(
  message: ReceivedMessage,
  startedAt: Date,
  replayedIds: ReadonlySet<string>,
): boolean {
  const eventId = message.attributes.event_id;
  if (eventId && replayedIds.has(eventId) && message.sentAt.getTime() >= startedAt.getTime()) {
    return true;
  }

  let envelope: DlqEnvelope;
  try {
    envelope = decodeEnvelope(message.body);
  } catch {
    // Unreadable: never replayed, so never a copy of one.
    return false;
  }
  const replay = lastReplay(envelope);
  return (
    replayedIds.has(envelope.eventId) &&
    replay !== undefined &&
    Date.parse(replay.at) >= startedAt.getTime()
  );
}

type Handle = (message: ReceivedMessage, walk: QueueWalk, result: MoveResult) => Promise<void>;

interface WalkMatchingOptions extends MoveOptions {
  /** Messages neither matched nor handled, whatever the filter says; counted as parked again. */
  leaveAlone?: (message: ReceivedMessage) => boolean;
}

/**
 * Walks the queue and hands each matching message to `handle`, one at a time; everything
 * else stays held and is released at the end, as are messages left when Ctrl-C stops it.
 * Messages `leaveAlone` picks are held and released like those the filter does not match.
 */
async function walkMatching(
  queue: SqsQueue,
  options: WalkMatchingOptions,
  handle: Handle,
): Promise<MoveResult> {
  const walk = new QueueWalk(queue, options);
  const result: MoveResult = {
    scanned: 0,
    matched: 0,
    done: 0,
    skipped: [],
    duplicates: 0,
    parkedAgain: 0,
    interrupted: false,
    matches: [],
    notReleased: 0,
  };
  const report = () =>
    options.onProgress?.({ scanned: result.scanned, matched: result.matched, done: result.done });

  try {
    outer: for await (const batch of walk.batches()) {
      for (const message of batch) {
        if (options.signal.aborted) break outer;
        result.scanned += 1;
        if (options.leaveAlone?.(message)) {
          result.parkedAgain += 1;
          continue;
        }
        if (!matchesFilter(options.filter, message)) continue;
        result.matched += 1;
        if (options.dryRun) {
          result.matches.push(matched(message));
        } else {
          await handle(message, walk, result);
        }
        report();
      }
      report();
    }
  } catch (error) {
    result.failure = describeError(error);
  } finally {
    result.interrupted = options.signal.aborted;
    result.notReleased = await walk.release();
  }
  return result;
}

function matched(message: ReceivedMessage): MatchedMessage {
  return {
    messageId: message.messageId,
    eventId: message.attributes.event_id,
    topic: message.attributes.topic,
    parkReason: message.attributes.park_reason,
    parkedAt: message.sentAt.toISOString(),
  };
}

function skip(message: ReceivedMessage, reason: string) {
  return { messageId: message.messageId, eventId: message.attributes.event_id, reason };
}
