import { z } from 'zod';
import { EnvelopeError } from './errors';
import type { NormalizedEvent } from './normalize';

/** The envelope version this library writes and reads. */
export const ENVELOPE_SCHEMA_VERSION = 1;

/** How one delivery attempt ended: the shared classification of receiver and worker. */
export const attemptOutcomeSchema = z.enum(['delivered', 'retryable', 'permanent']);
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>;

/** One try to hand the event to the downstream. */
export const attemptRecordSchema = z.object({
  /** 1 for the receiver's own try, then 2, 3, … for the worker's. */
  attempt: z.number().int().positive(),
  /** ISO 8601 start of the try. */
  at: z.string(),
  outcome: attemptOutcomeSchema,
  /** HTTP status of the downstream's answer; absent for timeouts and connection errors. */
  statusCode: z.number().int().optional(),
  /** What went wrong, without any of the body. */
  error: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** `Retry-After` of the downstream's answer, in seconds. */
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** Which app made the try. */
  by: z.enum(['receiver', 'dlq-worker']),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

/**
 * A person moved the event from the parking queue back onto the DLQ. The attempt budget and
 * the age limit count from the newest replay; attempt numbers keep counting up.
 */
export const replayRecordSchema = z.object({
  /** ISO 8601 time of the replay. */
  at: z.string(),
  /** Who replayed it (an operator name or the OS user). */
  actor: z.string(),
  /** Why it had been parked. */
  parkReason: z.string().optional(),
  /** The newest attempt number at the time of the replay (0 if none). */
  attemptsBefore: z.number().int().nonnegative(),
});
export type ReplayRecord = z.infer<typeof replayRecordSchema>;

/**
 * Where a body too large for a queue message is kept instead: an S3 object holding the
 * original bytes, with their size and SHA-256 (lowercase hex) to check them when read back.
 */
export const bodyRefSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BodyRef = z.infer<typeof bodyRefSchema>;

/**
 * Everything the DLQ and the parking queue hold about one event: identity, topic, the
 * original body as UTF-8 text (or a pointer to it), and every attempt so far.
 */
const envelopeFields = z.object({
  schemaVersion: z.literal(ENVELOPE_SCHEMA_VERSION),
  eventId: z.string().min(1),
  topic: z.string().min(1),
  correlationId: z.string().optional(),
  eventTime: z.string().optional(),
  /** `Content-Type` exactly as the sender sent it. */
  contentType: z.string(),
  /**
   * The original request body, UTF-8 text, byte-identical once encoded again. Absent when
   * `bodyRef` holds it; a reader older than `bodyRef` then refuses the message (and the
   * worker parks it) instead of delivering an empty body.
   */
  body: z.string().optional(),
  /** Where the body is when it was too large to travel inside the message. */
  bodyRef: bodyRefSchema.optional(),
  /** ISO 8601 time the receiver first accepted the event. */
  firstReceivedAt: z.string(),
  attempts: z.array(attemptRecordSchema),
  /** Every replay from the parking queue, oldest first. */
  replays: z.array(replayRecordSchema).optional(),
  /**
   * ISO 8601 time before which no try is made: how a delay longer than SQS's 900 s limit on
   * `DelaySeconds` travels. A worker receiving the message earlier hides it again.
   */
  notBefore: z.string().optional(),
});

/** An envelope has its body inline or a `bodyRef`, never both and never neither. */
export const dlqEnvelopeSchema = envelopeFields
  .refine((envelope) => (envelope.body === undefined) !== (envelope.bodyRef === undefined), {
    message: 'exactly one of body and bodyRef must be present',
    path: ['body'],
  })
  .transform((envelope) => ({ ...envelope, body: envelope.body ?? '' }));

/** A decoded envelope. `body` is `''` when `bodyRef` holds the body. */
export type DlqEnvelope = z.output<typeof dlqEnvelopeSchema>;

/** A new envelope for an event the receiver has just accepted, with no attempts yet. */
export function createEnvelope(event: NormalizedEvent, receivedAt: Date): DlqEnvelope {
  return {
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    eventId: event.eventId,
    topic: event.topic,
    correlationId: event.correlationId,
    eventTime: event.eventTime,
    contentType: event.contentType,
    body: event.body.toString('utf8'),
    firstReceivedAt: receivedAt.toISOString(),
    attempts: [],
  };
}

/** The same envelope with one more attempt in its history. The input is not changed. */
export function withAttempt(envelope: DlqEnvelope, attempt: AttemptRecord): DlqEnvelope {
  return { ...envelope, attempts: [...envelope.attempts, attempt] };
}

/** The newest replay, if any. */
export function lastReplay(envelope: DlqEnvelope): ReplayRecord | undefined {
  return envelope.replays?.[envelope.replays.length - 1];
}

/** Tries made since the newest replay (all tries if never replayed): what the budget counts. */
export function attemptsInBudget(envelope: DlqEnvelope): number {
  const made = lastAttempt(envelope)?.attempt ?? 0;
  return made - (lastReplay(envelope)?.attemptsBefore ?? 0);
}

/** When the age limit starts counting: the newest replay, else first receipt. */
export function ageClockStart(envelope: DlqEnvelope): Date {
  return new Date(lastReplay(envelope)?.at ?? envelope.firstReceivedAt);
}

/** The newest attempt, if any. */
export function lastAttempt(envelope: DlqEnvelope): AttemptRecord | undefined {
  return envelope.attempts[envelope.attempts.length - 1];
}

/** The number the next attempt will carry in `X-Dlq-Attempt`. */
export function nextAttemptNumber(envelope: DlqEnvelope): number {
  return (lastAttempt(envelope)?.attempt ?? 0) + 1;
}

/** The same envelope with its body moved out to `ref`. The input is not changed. */
export function withBodyRef(envelope: DlqEnvelope, ref: BodyRef): DlqEnvelope {
  return { ...envelope, body: '', bodyRef: ref };
}

/**
 * The original body bytes, as the sender sent them. Throws {@link EnvelopeError} when the
 * body is stored elsewhere (`bodyRef`): the caller must fetch it, never deliver `''`.
 */
export function envelopeBody(envelope: DlqEnvelope): Buffer {
  if (envelope.bodyRef) {
    throw new EnvelopeError(
      `The body of event ${envelope.eventId} is stored in ${envelope.bodyRef.bucket}; fetch it.`,
    );
  }
  return Buffer.from(envelope.body, 'utf8');
}

/**
 * Characters SQS refuses in a message body (U+FFFE, U+FFFF) and characters outside the
 * Basic Multilingual Plane, which some SQS-compatible servers refuse: written as JSON
 * escapes, which decode to the same text.
 */
const UNSAFE_FOR_SQS = /[\uD800-\uDFFF\uFFFE\uFFFF]/g;

/** The envelope as queue-message text. A `bodyRef` envelope carries no `body` field. */
export function encodeEnvelope(envelope: DlqEnvelope): string {
  // JSON leaves out a field whose value is undefined.
  const text = JSON.stringify(envelope.bodyRef ? { ...envelope, body: undefined } : envelope);
  return text.replace(
    UNSAFE_FOR_SQS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Reads an envelope from a queue message. Broken JSON, an unknown `schemaVersion` or a
 * missing field throws {@link EnvelopeError}; it never returns something half-read.
 */
export function decodeEnvelope(text: string): DlqEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EnvelopeError('The message is not JSON.', { cause: error });
  }

  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== ENVELOPE_SCHEMA_VERSION) {
    throw new EnvelopeError(
      `The message has envelope schemaVersion ${JSON.stringify(version)}; ` +
        `this version reads ${ENVELOPE_SCHEMA_VERSION}.`,
    );
  }

  const result = dlqEnvelopeSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new EnvelopeError(`The message is not a valid envelope: ${problems}.`);
  }
  return result.data;
}
