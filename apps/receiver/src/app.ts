import express, { type NextFunction, type Request, type Response } from 'express';
import { type NormalizedEvent, normalizeEvent, PayloadError } from '@webhook-dlq/payloads';
import { describeError, type Logger } from '@webhook-dlq/runtime';
import { type DlqSender, ingest, type IngestResult } from './ingest';

export interface ReceiverSettings {
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  firstRetryDelaySeconds: number;
  bodyLimitBytes: number;
  defaultTopic?: string;
  retryAfterSeconds: number;
}

/** What the app needs from the process around it. */
export interface ReceiverDeps {
  settings: ReceiverSettings;
  logger: Logger;
  /** The DLQ once it has been resolved; `undefined` while the receiver is starting. */
  dlq: () => DlqSender | undefined;
  /** Last trouble storing on the DLQ, shown in /readyz detail. */
  health?: { lastStoreFailureAt?: string };
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Reserved for `genesys-admin genesys test-fire`, which makes Genesys call the receiver to
 * prove the path works. Answered 200 and dropped, so a test never reaches the downstream.
 */
export const PROBE_TOPIC = 'genesys-admin.probe';

export function createReceiverApp(deps: ReceiverDeps): express.Express {
  const { settings, logger } = deps;
  const health = deps.health ?? {};
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    // Ready once the DLQ has been resolved. Later SQS trouble only shows in the detail: the
    // receiver can still deliver, so it stays in rotation.
    const ready = deps.dlq() !== undefined;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'starting',
      dlq: ready ? 'resolved' : 'not resolved yet',
      last_store_failure_at: health.lastStoreFailureAt ?? null,
    });
  });

  const readBody = express.raw({ type: () => true, limit: settings.bodyLimitBytes });

  app.post(['/webhooks/genesys', '/webhooks/genesys/:topic'], requireJson, readBody, async (req, res) => {
    const started = performance.now();
    const receivedAt = new Date();

    let event: NormalizedEvent;
    try {
      event = normalizeEvent({
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        contentType: req.get('content-type') ?? 'application/json',
        routeTopic: typeof req.params.topic === 'string' ? req.params.topic : undefined,
        headerTopic: req.get('x-genesys-topic'),
        defaultTopic: settings.defaultTopic || undefined,
      });
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      logger.info('webhook', {
        outcome: 'rejected',
        reason: error.code,
        http_status: 400,
        duration_ms: elapsed(started),
      });
      res.status(400).json({ error: error.code, message: error.message });
      return;
    }

    if (event.topic === PROBE_TOPIC) {
      logger.info('webhook', {
        event_id: event.eventId,
        topic: event.topic,
        outcome: 'probe',
        http_status: 200,
        duration_ms: elapsed(started),
      });
      res.status(200).json({ status: 'probe', eventId: event.eventId });
      return;
    }

    const result = await ingest(event, receivedAt, settings, deps.dlq());
    if (result.outcome === 'unstored') health.lastStoreFailureAt = new Date().toISOString();

    const answer = answerFor(result, event, settings.retryAfterSeconds);
    logWebhook(logger, event, result, answer.status, elapsed(started));
    if (answer.retryAfter !== undefined) res.set('retry-after', String(answer.retryAfter));
    res.status(answer.status).json(answer.body);
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'POST events to /webhooks/genesys.' });
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const known = httpErrorOf(error);
    if (known) {
      res.status(known.status).json({ error: known.code, message: known.message });
      return;
    }
    // Our own fault. 500 lets the sender retry, so the event is not lost.
    logger.error('unexpected error handling a request', { error: describeError(error) });
    res.status(500).json({ error: 'internal', message: 'The receiver failed; retry later.' });
  });

  return app;
}

function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (req.is(JSON_TYPES)) return next();
  const type = req.get('content-type');
  res.status(415).json({
    error: 'unsupported_media_type',
    message: `Send the event as JSON (Content-Type: application/json); got ${
      type ? JSON.stringify(type) : 'no Content-Type'
    }.`,
  });
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter?: number;
}

function answerFor(result: IngestResult, event: NormalizedEvent, retryAfter: number): Answer {
  const { eventId } = event;
  switch (result.outcome) {
    case 'delivered':
      return { status: 200, body: { status: 'delivered', eventId } };
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

function logWebhook(
  logger: Logger,
  event: NormalizedEvent,
  result: IngestResult,
  httpStatus: number,
  durationMs: number,
): void {
  const fields = {
    event_id: event.eventId,
    topic: event.topic,
    shape: event.shape,
    outcome: result.outcome,
    attempt: 1,
    status_code: result.delivery.statusCode,
    delivery_outcome: result.delivery.outcome,
    delivery_error: result.delivery.error,
    downstream_ms: result.delivery.durationMs,
    http_status: httpStatus,
    duration_ms: durationMs,
  };
  if (result.outcome === 'unstored' || result.outcome === 'too_large') {
    logger.error('webhook', { ...fields, error: describeError(result.error) });
  } else {
    logger.info('webhook', fields);
  }
}

/** Errors body-parser raises, with the answer each deserves. */
function httpErrorOf(error: unknown): { status: number; code: string; message: string } | undefined {
  const { type, status, limit } = (error ?? {}) as { type?: string; status?: number; limit?: number };
  if (type === 'entity.too.large') {
    return {
      status: 413,
      code: 'body_too_large',
      message: `The body is larger than the receiver accepts (${limit} bytes).`,
    };
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') {
    return { status: 400, code: 'incomplete_body', message: 'The body ended early.' };
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, code: 'unsupported_encoding', message: 'Send the body as UTF-8 JSON.' };
  }
  if (status && status >= 400 && status < 500) {
    return { status, code: 'bad_request', message: 'The request could not be read.' };
  }
  return undefined;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
