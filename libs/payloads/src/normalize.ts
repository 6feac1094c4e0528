import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { PayloadError } from './errors';
import {
  type BodyShape,
  detectShape,
  eventBridgeEventSchema,
  type GenesysNotification,
  notificationSchema,
} from './shapes';

/** A request as it reached the receiver, before anything was decided about it. */
export interface RawEvent {
  /** The request body, byte for byte. */
  body: Buffer;
  /** The request's `Content-Type`, kept so the downstream gets the same header. */
  contentType: string;
  /** Topic from the route `POST /webhooks/genesys/<topic>`. */
  routeTopic?: string;
  /** Topic from the `x-genesys-topic` header. */
  headerTopic?: string;
  /** Topic configured for bodies that carry none (`DEFAULT_TOPIC`). */
  defaultTopic?: string;
}

/** One Genesys event, identified, with its original bytes untouched. */
export interface NormalizedEvent {
  /** Stable across Genesys duplicates of the same event; see {@link eventIdFor}. */
  eventId: string;
  /** Concrete topic, e.g. `v2.detail.events.conversation.<id>.customer.end`. */
  topic: string;
  correlationId?: string;
  /** ISO 8601 time of the event when the body states one. */
  eventTime?: string;
  shape: BodyShape;
  contentType: string;
  body: Buffer;
}

const TOPIC_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:{}-]{0,254}$/;

/**
 * What an id taken from the body may look like: it travels as the `Idempotency-Key` header
 * and as an SQS attribute, so printable ASCII without spaces, at most 256 characters.
 * Genesys and EventBridge ids are UUIDs.
 */
const IDENTITY_PATTERN = /^[\x21-\x7E]{1,256}$/;

/** Deeper than any Genesys body; deep enough to refuse bodies built to exhaust the stack. */
export const MAX_BODY_DEPTH = 256;

/**
 * Turns a raw request into an identified event, or throws a {@link PayloadError} that names
 * the problem. The body is parsed only to read identity; `body` in the result is the input.
 */
export function normalizeEvent(raw: RawEvent): NormalizedEvent {
  const parsed = parseObject(raw.body);
  const shape = detectShape(parsed);
  const notification = notificationOf(parsed, shape);

  const topic = resolveTopic(notification?.topicName, raw);
  const correlationId = checkIdentity(
    notification?.metadata?.CorrelationId,
    'metadata.CorrelationId',
  );
  const eventBridgeId = checkIdentity(
    shape === 'eventbridge' ? String(parsed['id']) : undefined,
    'the EventBridge id',
  );

  return {
    eventId: eventIdFor({ topic, eventBridgeId, correlationId, parsedBody: parsed }),
    topic,
    correlationId,
    eventTime: eventTimeOf(parsed, notification),
    shape,
    contentType: raw.contentType,
    body: raw.body,
  };
}

/**
 * The identity rule, part of this library's contract:
 * 1. an EventBridge envelope → its `id`;
 * 2. else a notification with `metadata.CorrelationId` → `<topic>:<CorrelationId>`;
 * 3. else the lowercase hex SHA-256 of `<topic>` + `"\n"` + the canonical JSON of the body
 *    (object keys sorted, no whitespace; see {@link canonicalJson}).
 */
export function eventIdFor(input: {
  topic: string;
  eventBridgeId?: string;
  correlationId?: string;
  parsedBody: unknown;
}): string {
  if (input.eventBridgeId) return input.eventBridgeId;
  if (input.correlationId) return `${input.topic}:${input.correlationId}`;
  return createHash('sha256')
    .update(`${input.topic}\n${canonicalJson(input.parsedBody)}`)
    .digest('hex');
}

/**
 * Reads `eventTime` in either form Genesys uses: epoch milliseconds (number or digits) or
 * ISO 8601 text. Anything else gives `undefined`.
 */
export function parseEventTime(value: unknown): string | undefined {
  let millis: number | undefined;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string' && /^\d+$/.test(value)) millis = Number(value);
  else if (typeof value === 'string') millis = Date.parse(value);

  if (millis === undefined || !Number.isFinite(millis)) return undefined;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function parseObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(body)) {
    throw new PayloadError('invalid_encoding', 'The body is not valid UTF-8 text.');
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PayloadError('invalid_json', `The body is not valid JSON: ${detail}`, {
      cause: error,
    });
  }

  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed;
    throw new PayloadError('not_an_object', `The body must be a JSON object, got ${kind}.`);
  }
  if (depthOf(parsed) > MAX_BODY_DEPTH) {
    throw new PayloadError(
      'too_deep',
      `The body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep.`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Nesting depth of parsed JSON, measured without recursion so no input can exhaust the stack. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_BODY_DEPTH) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function checkIdentity(value: string | undefined, source: string): string | undefined {
  if (value === undefined || IDENTITY_PATTERN.test(value)) return value;
  throw new PayloadError(
    'invalid_identity',
    `${source} must be 1 to 256 printable ASCII characters without spaces ` +
      '(it becomes the Idempotency-Key header).',
  );
}

function notificationOf(
  body: Record<string, unknown>,
  shape: BodyShape,
): GenesysNotification | undefined {
  if (shape === 'eventbridge') {
    return validate(eventBridgeEventSchema, body, 'an EventBridge envelope').detail;
  }
  if (shape === 'notification') return validate(notificationSchema, body, 'a Genesys notification');
  return undefined;
}

function validate<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;

  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new PayloadError('invalid_shape', `The body looks like ${what} but ${problems}.`);
}

function resolveTopic(bodyTopic: string | undefined, raw: RawEvent): string {
  const candidates: Array<[string | undefined, string]> = [
    [bodyTopic, 'topicName in the body'],
    [raw.routeTopic, 'the route /webhooks/genesys/<topic>'],
    [raw.headerTopic, 'the x-genesys-topic header'],
    [raw.defaultTopic, 'DEFAULT_TOPIC'],
  ];

  for (const [topic, source] of candidates) {
    if (topic === undefined || topic === '') continue;
    if (!TOPIC_PATTERN.test(topic)) {
      throw new PayloadError(
        'invalid_topic',
        `The topic from ${source} is not a Genesys topic name ` +
          '(letters, digits and . _ : { } -, at most 255 characters).',
      );
    }
    return topic;
  }

  throw new PayloadError(
    'missing_topic',
    'The body carries no topicName. Post to /webhooks/genesys/<topic>, send an ' +
      'x-genesys-topic header, or configure DEFAULT_TOPIC on the receiver.',
  );
}

function eventTimeOf(
  body: Record<string, unknown>,
  notification: GenesysNotification | undefined,
): string | undefined {
  const eventBody = notification ? notification.eventBody : body;
  return (
    parseEventTime(eventBody['eventTime']) ??
    parseEventTime(notification?.timestamp) ??
    parseEventTime(body['time'])
  );
}
