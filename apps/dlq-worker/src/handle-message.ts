import { type DeliveryResult, toAttemptRecord } from '@webhook-dlq/delivery';
import {
  type BodyRef,
  decodeEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  EnvelopeError,
  envelopeBody,
  lastAttempt,
  nextAttemptNumber,
  withAttempt,
} from '@webhook-dlq/payloads';
import {
  PayloadIntegrityError,
  PayloadMissingError,
  PayloadStoreError,
} from '@webhook-dlq/payload-store';
import {
  MAX_DELAY_SECONDS,
  type OutgoingMessage,
  ReceiptExpiredError,
  type ReceivedMessage,
} from '@webhook-dlq/sqs';
import { redact } from '@webhook-dlq/runtime';
import { decide, type Decision, type ParkReason, type RetryPolicy, type Situation } from './decide';
import { type DownstreamGate, isNotStarted } from './downstream-gate';
import { startHeartbeat } from './heartbeat';
import type { RecentDeliveries } from './recent-deliveries';

/** SQS's longest visibility timeout: the longest a held message can stay hidden in one step. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** The queue calls the handler makes; {@link BatchingQueue} provides them. */
export interface QueueOps {
  send(message: OutgoingMessage): Promise<unknown>;
  delete(receiptHandle: string): Promise<void>;
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

/** Where bodies too large for a queue message are kept. An S3PayloadStore in production. */
export interface PayloadStore {
  get(ref: BodyRef): Promise<Buffer>;
  delete(ref: BodyRef): Promise<void>;
}

export interface HandlerDeps {
  dlq: QueueOps;
  parked: Pick<QueueOps, 'send'>;
  gate: Pick<DownstreamGate, 'deliver'>;
  recent: RecentDeliveries;
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  /** More headers for the downstream, e.g. its `Authorization`. */
  downstreamHeaders?: Readonly<Record<string, string>>;
  /** Needed for envelopes whose body is in S3 (`bodyRef`). */
  payloads?: PayloadStore;
  policy: RetryPolicy;
  visibilityTimeoutSeconds: number;
  breakerCooldownSeconds: number;
  /** Aborts deliveries still running when the shutdown grace period ends. */
  interrupt: AbortSignal;
  onHeartbeatFailure: (message: ReceivedMessage, error: unknown) => void;
}

/** What handling one message came to, for its log line and metrics. */
export interface HandledMessage {
  outcome: 'delivered' | 'duplicate' | 'retry_scheduled' | 'parked' | 'held';
  eventId?: string;
  topic?: string;
  attempt?: number;
  parkReason?: ParkReason;
  /** Delay before the next try, for `retry_scheduled`. */
  delaySeconds?: number;
  /** How long the message stays hidden, and why, for `held`. */
  holdSeconds?: number;
  holdReason?: string;
  delivery?: DeliveryResult;
  /** The delete was refused because the receipt expired: another worker may handle it too. */
  possibleDuplicate?: boolean;
  /** The event is done but deleting its S3 body failed; the bucket's lifecycle rule removes it. */
  payloadLeft?: boolean;
}

/**
 * Handles one DLQ message to the end: decode, maybe deliver, then settle it as
 * {@link decide} says. The visibility heartbeat runs until settling starts. Settling sends
 * first and deletes after, so a crash in between leaves a duplicate (same Idempotency-Key),
 * never a loss. A failed queue call is thrown: the message stays on the DLQ and comes back
 * after its visibility timeout.
 */
export async function handleMessage(
  message: ReceivedMessage,
  deps: HandlerDeps,
): Promise<HandledMessage> {
  let envelope: DlqEnvelope;
  try {
    envelope = decodeEnvelope(message.body);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return parkUnreadable(message, error, deps);
  }

  const stopHeartbeat = startHeartbeat(
    (seconds) => deps.dlq.changeVisibility(message.receiptHandle, seconds),
    deps.visibilityTimeoutSeconds,
    (error) => deps.onHeartbeatFailure(message, error),
  );
  const tried = await tryOnce(envelope, deps)
    .catch((error: unknown) => {
      // A body gone from S3, or not the one stored, cannot be delivered: a person must look.
      if (error instanceof PayloadMissingError || error instanceof PayloadIntegrityError) {
        return error;
      }
      throw error;
    })
    .finally(stopHeartbeat);
  if (tried instanceof PayloadStoreError) return parkUnreadable(message, tried, deps);
  const { decision, delivery } = tried;
  envelope = tried.envelope;

  const settled = await settle(message, envelope, decision, deps);
  return {
    ...settled,
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt: lastAttempt(envelope)?.attempt,
    delivery,
  };
}

/** Decides on the received envelope and, if that says deliver, makes one try and decides again. */
async function tryOnce(envelope: DlqEnvelope, deps: HandlerDeps) {
  const received: Situation = {
    kind: 'received',
    now: new Date(),
    deliveredRecently: deps.recent.has(envelope.eventId),
  };
  const first = decide(envelope, received, deps.policy);
  if (first.action !== 'deliver') return { envelope, decision: first, delivery: undefined };

  const attempt = nextAttemptNumber(envelope);
  const body = await bodyOf(envelope, deps);
  const result = await deps.gate.deliver({
    url: deps.downstreamUrl,
    body,
    contentType: envelope.contentType,
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt,
    timeoutMs: deps.downstreamTimeoutMs,
    signal: deps.interrupt,
    headers: deps.downstreamHeaders,
  });

  if (isNotStarted(result)) {
    const retryInSeconds = result.notStarted === 'shutdown' ? 0 : deps.breakerCooldownSeconds;
    const situation: Situation = {
      kind: 'not_attempted',
      reason: result.notStarted,
      retryInSeconds,
    };
    return { envelope, decision: decide(envelope, situation, deps.policy), delivery: undefined };
  }
  if (deps.interrupt.aborted && result.outcome !== 'delivered') {
    // Cut short by shutdown: not the downstream's fault, so it does not count as a try.
    const situation: Situation = { kind: 'not_attempted', reason: 'shutdown', retryInSeconds: 0 };
    return { envelope, decision: decide(envelope, situation, deps.policy), delivery: undefined };
  }

  if (result.outcome === 'delivered') deps.recent.remember(envelope.eventId);
  const tried = withAttempt(envelope, toAttemptRecord(result, attempt, 'dlq-worker'));
  const decision = decide(tried, { kind: 'attempted', now: new Date() }, deps.policy);
  return { envelope: tried, decision, delivery: result };
}

/** The original bytes: from the envelope, or fetched from S3 (checked against its digest). */
async function bodyOf(envelope: DlqEnvelope, deps: HandlerDeps): Promise<Buffer> {
  if (!envelope.bodyRef) return envelopeBody(envelope);
  if (!deps.payloads) {
    // Left on the queue: it comes back once PAYLOAD_BUCKET is set, or is redriven to parking.
    throw new PayloadStoreError(
      `The body of event ${envelope.eventId} is in S3 and PAYLOAD_BUCKET is not configured.`,
      envelope.bodyRef.bucket,
      envelope.bodyRef.key,
    );
  }
  return deps.payloads.get(envelope.bodyRef);
}

/**
 * Deletes the S3 body of an event that is done, after its message is gone: a crash in
 * between leaves an object the lifecycle rule expires, never a message without its body.
 * Resolves `true` when the delete failed and the object was left.
 */
async function deletePayload(envelope: DlqEnvelope, deps: HandlerDeps): Promise<boolean> {
  if (!envelope.bodyRef || !deps.payloads) return false;
  try {
    await deps.payloads.delete(envelope.bodyRef);
    return false;
  } catch {
    return true;
  }
}

async function settle(
  message: ReceivedMessage,
  envelope: DlqEnvelope,
  decision: Decision,
  deps: HandlerDeps,
): Promise<Omit<HandledMessage, 'eventId' | 'topic' | 'attempt' | 'delivery'>> {
  const identity = {
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt: lastAttempt(envelope)?.attempt,
  };

  switch (decision.action) {
    case 'delete': {
      const possibleDuplicate = await deleteReceived(message, deps);
      const payloadLeft = await deletePayload(envelope, deps);
      return {
        outcome: decision.reason === 'duplicate' ? 'duplicate' : 'delivered',
        possibleDuplicate,
        payloadLeft: payloadLeft || undefined,
      };
    }
    case 'retry': {
      // Past SQS's 900 s DelaySeconds limit, the rest of the wait travels as notBefore.
      const delaySeconds = Math.min(decision.delaySeconds, MAX_DELAY_SECONDS);
      const notBefore =
        decision.delaySeconds > MAX_DELAY_SECONDS
          ? new Date(Date.now() + decision.delaySeconds * 1000).toISOString()
          : undefined;
      // A queued message cannot be edited: the history travels on a new copy.
      await deps.dlq.send({
        ...identity,
        body: encodeEnvelope({ ...envelope, notBefore }),
        delaySeconds,
      });
      const possibleDuplicate = await deleteReceived(message, deps);
      return { outcome: 'retry_scheduled', delaySeconds: decision.delaySeconds, possibleDuplicate };
    }
    case 'park': {
      await deps.parked.send({
        ...identity,
        body: encodeEnvelope(envelope),
        attributes: { park_reason: decision.reason },
      });
      const possibleDuplicate = await deleteReceived(message, deps);
      return { outcome: 'parked', parkReason: decision.reason, possibleDuplicate };
    }
    case 'hold': {
      const seconds = Math.min(decision.seconds, MAX_VISIBILITY_SECONDS);
      await deps.dlq.changeVisibility(message.receiptHandle, seconds);
      return { outcome: 'held', holdSeconds: seconds, holdReason: decision.reason };
    }
    case 'deliver':
      // decide() answers `deliver` only to a received message, and tryOnce always tries then.
      throw new Error('a message cannot be settled as deliver');
  }
}

/** Deletes the received copy. Resolves `true` when SQS refused because the receipt expired. */
async function deleteReceived(message: ReceivedMessage, deps: HandlerDeps): Promise<boolean> {
  try {
    await deps.dlq.delete(message.receiptHandle);
    return false;
  } catch (error) {
    if (error instanceof ReceiptExpiredError) return true;
    throw error;
  }
}

/** Parks the message as received, its S3 body (if any) kept, with why it could not be read. */
async function parkUnreadable(
  message: ReceivedMessage,
  error: EnvelopeError | PayloadStoreError,
  deps: HandlerDeps,
): Promise<HandledMessage> {
  await deps.parked.send({
    body: message.body,
    eventId: message.attributes.event_id,
    topic: message.attributes.topic,
    attributes: {
      park_reason: 'unreadable',
      park_error: redact(error.message).slice(0, 256),
      original_message_id: message.messageId,
    },
  });
  const possibleDuplicate = await deleteReceived(message, deps);
  return {
    outcome: 'parked',
    parkReason: 'unreadable',
    eventId: message.attributes.event_id,
    topic: message.attributes.topic,
    possibleDuplicate,
  };
}
