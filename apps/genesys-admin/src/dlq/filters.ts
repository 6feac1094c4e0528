import type { ReceivedMessage } from '@webhook-dlq/sqs';

/** Why the worker parked a message; travels as the `park_reason` attribute. */
export const PARK_REASONS = ['permanent', 'exhausted', 'unreadable', 'expired'] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/** Which parked messages a replay, purge or peek applies to. Every given field must match. */
export interface MessageFilter {
  /** A concrete topic, or a pattern where `{id}` and `*` stand for one dot-free segment. */
  topic?: string;
  eventId?: string;
  /** Parked (sent to the parking queue) at or after this time. */
  since?: Date;
  reason?: ParkReason;
}

export interface FilterFlags {
  topic?: string;
  eventId?: string;
  since?: string;
  reason?: string;
}

/** Checks and reads the filter flags; an unusable value throws a sentence naming the flag. */
export function parseFilter(flags: FilterFlags, now = new Date()): MessageFilter {
  const filter: MessageFilter = {};
  if (flags.topic) filter.topic = flags.topic;
  if (flags.eventId) filter.eventId = flags.eventId;
  if (flags.reason) {
    if (!(PARK_REASONS as readonly string[]).includes(flags.reason)) {
      throw new Error(`--reason must be one of ${PARK_REASONS.join(', ')}; got "${flags.reason}".`);
    }
    filter.reason = flags.reason as ParkReason;
  }
  if (flags.since) filter.since = parseSince(flags.since, now);
  return filter;
}

/** An ISO 8601 time, or a span back from now: `90s`, `30m`, `6h`, `2d`. */
export function parseSince(text: string, now = new Date()): Date {
  const span = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (span) {
    const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as 's'];
    return new Date(now.getTime() - Number(span[1]) * unitMs);
  }
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new Error(`--since "${text}" is neither an ISO 8601 time nor a span such as 6h or 2d.`);
  }
  return new Date(time);
}

export function matchesFilter(filter: MessageFilter, message: ReceivedMessage): boolean {
  const { attributes } = message;
  if (filter.eventId && attributes.event_id !== filter.eventId) return false;
  if (filter.reason && attributes.park_reason !== filter.reason) return false;
  if (filter.since && message.sentAt.getTime() < filter.since.getTime()) return false;
  if (filter.topic && !topicMatches(filter.topic, attributes.topic ?? '')) return false;
  return true;
}

/** `v2.detail.events.conversation.{id}.customer.end` matches any conversation id. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === topic) return true;
  const wanted = pattern.split('.');
  const actual = topic.split('.');
  return (
    wanted.length === actual.length &&
    wanted.every((part, i) => part === actual[i] || part === '*' || /^\{\w+\}$/.test(part))
  );
}

/** A topic with its ids turned back into `{id}`, to count topics rather than conversations. */
export function topicPattern(topic: string): string {
  return topic
    .split('.')
    .map((part) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(part) ? '{id}' : part,
    )
    .join('.');
}

/** The filter as flags would spell it, for audit records and messages. */
export function describeFilter(filter: MessageFilter): Record<string, string> {
  const described: Record<string, string> = {};
  if (filter.topic) described.topic = filter.topic;
  if (filter.eventId) described.event_id = filter.eventId;
  if (filter.since) described.since = filter.since.toISOString();
  if (filter.reason) described.reason = filter.reason;
  return described;
}
