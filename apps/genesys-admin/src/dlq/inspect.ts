import {
  decodeEnvelope,
  type DlqEnvelope,
  EnvelopeError,
  lastAttempt,
} from '@webhook-dlq/payloads';
import type { ReceivedMessage, SqsQueue } from '@webhook-dlq/sqs';
import { showBody } from './mask';
import { QueueWalk } from './walk';
import { type MessageFilter, matchesFilter, topicPattern } from './filters';

export interface WalkSettings {
  visibilitySeconds: number;
  waitTimeSeconds: number;
  /** Ctrl-C: stop receiving, release what is held. */
  signal?: AbortSignal;
}

export interface ScanSummary {
  scanned: number;
  byReason: Record<string, number>;
  /** Counted by topic pattern (ids as `{id}`), so one line per kind of event. */
  byTopic: Record<string, number>;
  oldestParkedAt?: string;
  oldestParkedAgeSeconds?: number;
  /** Messages that could not be released; they reappear after their visibility timeout. */
  notReleased: number;
}

/** What peek shows of one message. The body only on request, masked unless asked not to. */
export interface MessageSummary {
  messageId: string;
  eventId?: string;
  topic?: string;
  parkReason?: string;
  parkError?: string;
  attempts?: number;
  lastError?: string;
  lastStatusCode?: number;
  firstReceivedAt?: string;
  replays?: number;
  /** When it was sent to the queue it is on (for parked messages: when it was parked). */
  sentAt: string;
  receiveCount: number;
  readable: boolean;
  body?: unknown;
}

/** Receives every parked message once, counts it, and releases them all at the end. */
export async function scanParked(queue: SqsQueue, settings: WalkSettings): Promise<ScanSummary> {
  const walk = new QueueWalk(queue, settings);
  const summary: ScanSummary = { scanned: 0, byReason: {}, byTopic: {}, notReleased: 0 };
  let oldest: Date | undefined;
  try {
    for await (const batch of walk.batches()) {
      for (const message of batch) {
        summary.scanned += 1;
        const reason = message.attributes.park_reason ?? 'none';
        const topic = topicPattern(message.attributes.topic ?? '(no topic)');
        summary.byReason[reason] = (summary.byReason[reason] ?? 0) + 1;
        summary.byTopic[topic] = (summary.byTopic[topic] ?? 0) + 1;
        if (!oldest || message.sentAt < oldest) oldest = message.sentAt;
      }
    }
  } finally {
    summary.notReleased = await walk.release();
  }
  if (oldest) {
    summary.oldestParkedAt = oldest.toISOString();
    summary.oldestParkedAgeSeconds = Math.round((Date.now() - oldest.getTime()) / 1000);
  }
  return summary;
}

export interface PeekOptions extends WalkSettings {
  limit: number;
  filter: MessageFilter;
  showBody: boolean;
  unmasked: boolean;
}

/** Up to `limit` matching messages, summarised; every received message is released. */
export async function peekQueue(
  queue: SqsQueue,
  options: PeekOptions,
): Promise<{ messages: MessageSummary[]; received: number; notReleased: number }> {
  const walk = new QueueWalk(queue, options);
  const messages: MessageSummary[] = [];
  let received = 0;
  let notReleased = 0;
  try {
    for await (const batch of walk.batches()) {
      received += batch.length;
      for (const message of batch) {
        if (messages.length < options.limit && matchesFilter(options.filter, message)) {
          messages.push(summarize(message, options));
        }
      }
      if (messages.length >= options.limit) break;
    }
  } finally {
    notReleased = await walk.release();
  }
  return { messages, received, notReleased };
}

export function summarize(
  message: ReceivedMessage,
  options: { showBody: boolean; unmasked: boolean },
): MessageSummary {
  const { attributes } = message;
  const base: MessageSummary = {
    messageId: message.messageId,
    eventId: attributes.event_id,
    topic: attributes.topic,
    parkReason: attributes.park_reason,
    parkError: attributes.park_error,
    sentAt: message.sentAt.toISOString(),
    receiveCount: message.receiveCount,
    readable: false,
  };

  let envelope: DlqEnvelope;
  try {
    envelope = decodeEnvelope(message.body);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    if (!options.showBody) return base;
    const body = bodyStoredElsewhere(message.body) ?? showBody(message.body, options.unmasked);
    return { ...base, body };
  }

  const last = lastAttempt(envelope);
  return {
    ...base,
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempts: last?.attempt ?? 0,
    lastError: last?.error,
    lastStatusCode: last?.statusCode,
    firstReceivedAt: envelope.firstReceivedAt,
    replays: envelope.replays?.length ?? 0,
    readable: true,
    ...(options.showBody
      ? { body: bodyStoredElsewhere(message.body) ?? showBody(envelope.body, options.unmasked) }
      : {}),
  };
}

/**
 * Where the body is when the envelope carries a reference instead of the body (too large
 * for a queue message). Read from the raw message so it does not depend on the envelope
 * version this tool was built with.
 */
function bodyStoredElsewhere(raw: string): string | undefined {
  let ref: { bucket?: unknown; key?: unknown } | undefined;
  try {
    ref = (JSON.parse(raw) as { bodyRef?: typeof ref } | null)?.bodyRef;
  } catch {
    return undefined;
  }
  if (!ref || typeof ref !== 'object') return undefined;
  return `(stored outside the message: s3://${String(ref.bucket)}/${String(ref.key)})`;
}
