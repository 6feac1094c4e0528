import { attemptDelivery, type DeliveryResult, toAttemptRecord } from '@webhook-dlq/delivery';
import {
  type BodyRef,
  createEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  type NormalizedEvent,
  withAttempt,
  withBodyRef,
} from '@webhook-dlq/payloads';
import { MAX_DELAY_SECONDS, MessageTooLargeError, type OutgoingMessage } from '@webhook-dlq/sqs';
import { MIN_TRY_MS } from './config';

/** Where failed events are stored: an {@link SqsQueue}, or sends coalesced into batches. */
export interface DlqSender {
  /** Resolves once stored. Throws {@link MessageTooLargeError} when it cannot fit. */
  send(message: OutgoingMessage): Promise<unknown>;
  /** The queue's `MaximumMessageSize`. */
  readonly maxMessageBytes: number;
}

/** Where bodies too large for a queue message go. An S3PayloadStore in production. */
export interface PayloadWriter {
  put(body: Buffer): Promise<BodyRef>;
}

export interface IngestSettings {
  downstreamUrl: string;
  /** The longest try, however much of the budget is left. */
  downstreamTimeoutMs: number;
  downstreamHeaders: Readonly<Record<string, string>>;
  /**
   * How long a stored event stays hidden before the worker's first try, so a failing
   * downstream is not called again at once. A downstream's `Retry-After` replaces it.
   */
  firstRetryDelaySeconds: number;
  /** Time kept back from the try for storing: the SQS send deadline and batch linger. */
  sqsSendTimeoutMs: number;
  batchLingerMs: number;
  /** Kept back as well when the body may be too large for a message. */
  payloadStoreTimeoutMs: number;
}

export interface IngestDeps {
  dlq: DlqSender | undefined;
  payloads?: PayloadWriter;
}

/**
 * What became of one event. `delivered` and `queued` are acknowledged; `too_large` and
 * `unstored` are not, so the sender keeps the event. `delivery` is absent when no time was
 * left for a try and the event was stored at once.
 */
export type IngestResult =
  | { outcome: 'delivered'; delivery: DeliveryResult }
  | { outcome: 'queued'; delivery?: DeliveryResult; offloaded: boolean }
  | { outcome: 'too_large'; delivery?: DeliveryResult; error: MessageTooLargeError }
  | { outcome: 'unstored'; delivery?: DeliveryResult; error: unknown; stage: StoreStage };

/** Which step of storing failed. */
export type StoreStage = 'not_resolved' | 'payload_store' | 'dlq_send';

/** Envelope fields around a body, generously counted, for guessing whether it will fit. */
const ENVELOPE_OVERHEAD_BYTES = 4096;

/**
 * The ack rule in one place: try the downstream once, within what the request budget leaves
 * after keeping back the time storing may take; if that fails for any reason, store the
 * event on the DLQ with the attempt recorded — the body in S3 and a pointer on the queue
 * when the envelope is too large for a message. A permanent failure is stored too: the
 * worker parks it without retrying, so a person sees it.
 */
export async function ingest(
  event: NormalizedEvent,
  receivedAt: Date,
  deadline: number,
  settings: IngestSettings,
  deps: IngestDeps,
): Promise<IngestResult> {
  const reserveMs = storeReserveMs(event.body.length, settings, deps);
  const tryMs = Math.min(settings.downstreamTimeoutMs, deadline - performance.now() - reserveMs);

  let delivery: DeliveryResult | undefined;
  if (tryMs >= MIN_TRY_MS) {
    delivery = await attemptDelivery({
      url: settings.downstreamUrl,
      body: event.body,
      contentType: event.contentType,
      eventId: event.eventId,
      topic: event.topic,
      attempt: 1,
      timeoutMs: Math.floor(tryMs),
      headers: settings.downstreamHeaders,
    });
    if (delivery.outcome === 'delivered') return { outcome: 'delivered', delivery };
  }

  const { dlq } = deps;
  if (!dlq) {
    const error = new Error('the DLQ is not resolved yet');
    return { outcome: 'unstored', delivery, error, stage: 'not_resolved' };
  }

  let envelope = createEnvelope(event, receivedAt);
  if (delivery) envelope = withAttempt(envelope, toAttemptRecord(delivery, 1, 'receiver'));
  const delaySeconds = Math.min(
    MAX_DELAY_SECONDS,
    delivery?.retryAfterSeconds ?? settings.firstRetryDelaySeconds,
  );
  // Never less than the reserve: a slow upload must not leave the store no time at all.
  const storeMs = Math.max(deadline - performance.now(), reserveMs);
  const storing = store(envelope, event, delaySeconds, { dlq, payloads: deps.payloads }, delivery);
  return withinMs(storeMs, storing, delivery);
}

async function store(
  envelope: DlqEnvelope,
  event: NormalizedEvent,
  delaySeconds: number,
  { dlq, payloads }: IngestDeps & { dlq: DlqSender },
  delivery: DeliveryResult | undefined,
): Promise<IngestResult> {
  const message = (body: string): OutgoingMessage => ({
    body,
    eventId: event.eventId,
    topic: event.topic,
    attempt: envelope.attempts.length > 0 ? 1 : undefined,
    delaySeconds,
  });

  try {
    await dlq.send(message(encodeEnvelope(envelope)));
    return { outcome: 'queued', delivery, offloaded: false };
  } catch (error) {
    if (!(error instanceof MessageTooLargeError)) {
      return { outcome: 'unstored', delivery, error, stage: 'dlq_send' };
    }
    if (!payloads) return { outcome: 'too_large', delivery, error };
  }

  let ref: BodyRef;
  try {
    ref = await payloads.put(event.body);
  } catch (error) {
    return { outcome: 'unstored', delivery, error, stage: 'payload_store' };
  }
  try {
    // An object left behind by a failed send expires under the bucket's lifecycle rule.
    await dlq.send(message(encodeEnvelope(withBodyRef(envelope, ref))));
    return { outcome: 'queued', delivery, offloaded: true };
  } catch (error) {
    if (error instanceof MessageTooLargeError) return { outcome: 'too_large', delivery, error };
    return { outcome: 'unstored', delivery, error, stage: 'dlq_send' };
  }
}

/** Time to keep back for storing an event with a body of `bodyBytes`. */
function storeReserveMs(bodyBytes: number, settings: IngestSettings, deps: IngestDeps): number {
  const reserve = settings.sqsSendTimeoutMs + settings.batchLingerMs;
  if (!deps.payloads || !deps.dlq) return reserve;
  // JSON escaping at most doubles a JSON body's bytes inside the envelope.
  const mayNeedS3 = bodyBytes * 2 + ENVELOPE_OVERHEAD_BYTES > deps.dlq.maxMessageBytes;
  return mayNeedS3 ? reserve + settings.payloadStoreTimeoutMs : reserve;
}

/** The store's result, or `unstored` if it has not finished within `ms`. */
async function withinMs(
  ms: number,
  storing: Promise<IngestResult>,
  delivery: DeliveryResult | undefined,
): Promise<IngestResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<IngestResult>((resolve) => {
    timer = setTimeout(() => {
      const error = new Error(`storing did not finish within ${Math.round(ms)} ms`);
      resolve({ outcome: 'unstored', delivery, error, stage: 'dlq_send' });
    }, ms);
  });
  const result = await Promise.race([storing, late]);
  clearTimeout(timer);
  return result;
}
