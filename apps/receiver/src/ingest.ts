import { attemptDelivery, toAttemptRecord, type DeliveryResult } from '@webhook-dlq/delivery';
import {
  createEnvelope,
  encodeEnvelope,
  type NormalizedEvent,
  withAttempt,
} from '@webhook-dlq/payloads';
import { MAX_DELAY_SECONDS, MessageTooLargeError, type OutgoingMessage } from '@webhook-dlq/sqs';

/** Where failed events are stored. An {@link SqsQueue} in production. */
export interface DlqSender {
  send(message: OutgoingMessage): Promise<string>;
}

export interface IngestSettings {
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  /**
   * How long a stored event stays hidden before the worker's first try, so a failing
   * downstream is not called again at once. A downstream's `Retry-After` replaces it.
   */
  firstRetryDelaySeconds: number;
}

/**
 * What became of one event. `delivered` and `queued` are acknowledged; `too_large` and
 * `unstored` are not, so the sender keeps the event.
 */
export type IngestResult =
  | { outcome: 'delivered'; delivery: DeliveryResult }
  | { outcome: 'queued'; delivery: DeliveryResult; messageId: string }
  | { outcome: 'too_large'; delivery: DeliveryResult; error: MessageTooLargeError }
  | { outcome: 'unstored'; delivery: DeliveryResult; error: unknown };

/**
 * The ack rule in one place: try the downstream once; if that fails for any reason, store the
 * event on the DLQ with the attempt recorded. Only a delivered or stored event is acknowledged.
 * A permanent failure is stored too: the worker parks it without retrying, so a person sees it.
 */
export async function ingest(
  event: NormalizedEvent,
  receivedAt: Date,
  settings: IngestSettings,
  dlq: DlqSender | undefined,
): Promise<IngestResult> {
  const delivery = await attemptDelivery({
    url: settings.downstreamUrl,
    body: event.body,
    contentType: event.contentType,
    eventId: event.eventId,
    topic: event.topic,
    attempt: 1,
    timeoutMs: settings.downstreamTimeoutMs,
  });
  if (delivery.outcome === 'delivered') return { outcome: 'delivered', delivery };

  if (!dlq) {
    return { outcome: 'unstored', delivery, error: new Error('the DLQ is not resolved yet') };
  }

  const envelope = withAttempt(
    createEnvelope(event, receivedAt),
    toAttemptRecord(delivery, 1, 'receiver'),
  );
  try {
    const messageId = await dlq.send({
      body: encodeEnvelope(envelope),
      eventId: event.eventId,
      topic: event.topic,
      attempt: 1,
      delaySeconds: Math.min(
        MAX_DELAY_SECONDS,
        delivery.retryAfterSeconds ?? settings.firstRetryDelaySeconds,
      ),
    });
    return { outcome: 'queued', delivery, messageId };
  } catch (error) {
    if (error instanceof MessageTooLargeError) return { outcome: 'too_large', delivery, error };
    return { outcome: 'unstored', delivery, error };
  }
}
