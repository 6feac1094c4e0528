import type { NextFunction, Request, Response } from 'express';
import { describeError, type Logger } from '@webhook-dlq/runtime';
import type { Duplicate } from './dedup';
import type { IngestResult } from './ingest';
import type { ReceiverMetrics } from './metrics';

/** What became of a webhook request that carried a readable event. */
export type Handled = IngestResult | Duplicate;

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter?: number;
}

export function answerFor(result: Handled, eventId: string, retryAfter: number): Answer {
  switch (result.outcome) {
    case 'delivered':
      return { status: 200, body: { status: 'delivered', eventId } };
    case 'duplicate':
      return { status: 200, body: { status: 'duplicate', eventId } };
    case 'queued':
      return { status: 202, body: { status: 'queued', eventId } };
    case 'too_large':
      return {
        status: 413,
        body: {
          error: 'envelope_too_large',
          eventId,
          message:
            `The downstream did not take the event and it is too large to store on the DLQ ` +
            `(${result.error.sizeBytes} bytes with its envelope; the queue accepts ` +
            `${result.error.maxBytes}).`,
        },
      };
    case 'unstored':
      return {
        status: 503,
        retryAfter,
        body: {
          error: 'unavailable',
          eventId,
          message: 'The event could not be delivered or stored; retry later.',
        },
      };
  }
}

/** The log fields and metrics of a handled event. */
export function recordHandled(result: Handled, metrics: ReceiverMetrics): Record<string, unknown> {
  if (result.outcome === 'duplicate') {
    metrics.duplicates.inc({ of: result.of });
    return { duplicate_of: result.of };
  }

  const { delivery } = result;
  if (delivery) {
    metrics.downstreamDuration.observe({ outcome: delivery.outcome }, delivery.durationMs / 1000);
  }
  const fields: Record<string, unknown> = {
    attempt: delivery ? 1 : undefined,
    status_code: delivery?.statusCode,
    delivery_outcome: delivery?.outcome ?? 'not_tried',
    delivery_error: delivery?.error,
    downstream_ms: delivery?.durationMs,
  };
  if (result.outcome === 'queued') {
    if (result.offloaded) metrics.payloadsOffloaded.inc();
    fields.body_in_s3 = result.offloaded || undefined;
  }
  if (result.outcome === 'unstored') {
    metrics.dlqSendFailures.inc({ stage: result.stage });
    fields.store_stage = result.stage;
    fields.error = describeError(result.error);
  }
  if (result.outcome === 'too_large') {
    metrics.dlqSendFailures.inc({ stage: 'too_large' });
    fields.error = describeError(result.error);
  }
  return fields;
}

/** Per-request state the canonical log line is built from. */
export interface WebhookState {
  started: number;
  /** The answer must be sent by then (a `performance.now()` time). */
  deadline: number;
  outcome?: string;
  fields: Record<string, unknown>;
}

export function webhookState(res: Response): WebhookState {
  return res.locals.webhook as WebhookState;
}

/** Outcomes that mean our own trouble and are logged as errors. */
const ERROR_OUTCOMES = new Set(['unstored', 'too_large', 'error']);

/**
 * Starts the request's clock and writes its one `webhook` log line and its metrics when
 * the answer has gone out (or the caller hung up), whichever path answered it.
 */
export function observeWebhook(logger: Logger, metrics: ReceiverMetrics, budgetMs: number) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const state: WebhookState = { started, deadline: started + budgetMs, fields: {} };
    res.locals.webhook = state;

    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const outcome = state.outcome ?? outcomeOfStatus(res.statusCode);
      const seconds = (performance.now() - started) / 1000;
      metrics.requests.inc({ outcome });
      metrics.ackDuration.observe({ outcome }, seconds);
      logger.log(ERROR_OUTCOMES.has(outcome) ? 'error' : 'info', 'webhook', {
        ...state.fields,
        outcome,
        http_status: res.statusCode,
        duration_ms: Math.round(seconds * 1000),
        answer_sent: res.writableFinished ? undefined : false,
      });
    };
    res.once('finish', write);
    res.once('close', write);
    next();
  };
}

function outcomeOfStatus(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'rejected';
  if (status >= 500) return 'error';
  return 'answered';
}
