import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import {
  type NormalizedEvent,
  normalizeEvent,
  PayloadError,
  PROBE_TOPIC,
} from '@webhook-dlq/payloads';
import { describeError, type Logger, redact } from '@webhook-dlq/runtime';
import { answerFor, type Handled, observeWebhook, recordHandled, webhookState } from './answer';
import { Authenticator, type AuthSettings, SIGNATURE_HEADER } from './auth';
import { RecentEvents } from './dedup';
import {
  type DlqSender,
  ingest,
  type IngestResult,
  type IngestSettings,
  type PayloadWriter,
} from './ingest';
import { ReceiverMetrics } from './metrics';

export interface ReceiverSettings extends IngestSettings {
  bodyLimitBytes: number;
  defaultTopic?: string;
  retryAfterSeconds: number;
  /** From the request's arrival to its answer; the downstream try gets what storing leaves. */
  requestBudgetMs: number;
  dedupWindowSeconds: number;
  dedupMaxEvents: number;
  /** Requests per client per window; 0 turns the limit off. */
  rateLimit: { max: number; windowSeconds: number };
  /** Express's `trust proxy`, so the rate limit sees clients rather than the proxy. */
  trustProxy: number | string[] | false;
  auth: AuthSettings;
}

/** What the app needs from the process around it. */
export interface ReceiverDeps {
  settings: ReceiverSettings;
  logger: Logger;
  /** The DLQ once it has been resolved; `undefined` while the receiver is starting. */
  dlq: () => DlqSender | undefined;
  /** Where bodies too large for a queue message go; without it they are refused (413). */
  payloads?: PayloadWriter;
  metrics?: ReceiverMetrics;
  /** Last trouble storing on the DLQ, shown in /readyz detail. */
  health?: { lastStoreFailureAt?: string };
}

const JSON_TYPES = ['application/json', 'application/*+json'];
const WEBHOOK_PATHS = ['/webhooks/genesys', '/webhooks/genesys/:topic'];

export function createReceiverApp(deps: ReceiverDeps): express.Express {
  const { settings, logger } = deps;
  const metrics = deps.metrics ?? new ReceiverMetrics();
  const health = deps.health ?? {};
  const auth = new Authenticator(settings.auth);
  const recent = new RecentEvents<IngestResult>(
    settings.dedupWindowSeconds,
    settings.dedupMaxEvents,
    (result) => result.outcome === 'delivered' || result.outcome === 'queued',
  );
  const readBody = express.raw({ type: () => true, limit: settings.bodyLimitBytes });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', settings.trustProxy);
  app.use(helmet());

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

  const handleWebhook = async (req: Request, res: Response) => {
    const state = webhookState(res);
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
      state.outcome = 'rejected';
      state.fields.reason = error.code;
      // The message may quote part of the body.
      res.status(400).json({ error: error.code, message: redact(error.message) });
      return;
    }
    state.fields = { event_id: event.eventId, topic: event.topic, shape: event.shape };

    if (event.topic === PROBE_TOPIC) {
      state.outcome = 'probe';
      res.status(200).json({ status: 'probe', eventId: event.eventId });
      return;
    }

    const result: Handled = await recent.handle(event.eventId, () =>
      ingest(event, receivedAt, state.deadline, settings, {
        dlq: deps.dlq(),
        payloads: deps.payloads,
      }),
    );
    if (result.outcome === 'unstored') health.lastStoreFailureAt = new Date().toISOString();

    state.outcome = result.outcome;
    Object.assign(state.fields, recordHandled(result, metrics));
    const answer = answerFor(result, event.eventId, settings.retryAfterSeconds);
    if (answer.retryAfter !== undefined) res.set('retry-after', String(answer.retryAfter));
    res.status(answer.status).json(answer.body);
  };

  app.post(
    WEBHOOK_PATHS,
    observeWebhook(logger, metrics, settings.requestBudgetMs),
    ...limitRate(settings, logger),
    authenticate(auth, readBody, metrics),
    requireJson,
    readBody,
    handleWebhook,
  );

  app.all(WEBHOOK_PATHS, (_req, res) => {
    res.set('allow', 'POST');
    res.status(405).json({ error: 'method_not_allowed', message: 'Events are sent with POST.' });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'POST events to /webhooks/genesys.' });
  });

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const state = res.locals.webhook === undefined ? undefined : webhookState(res);
    const known = httpErrorOf(error);
    if (known) {
      if (state) state.fields.reason = known.code;
      res.status(known.status).json({ error: known.code, message: known.message });
      return;
    }
    // Our own fault. 500 lets the sender retry, so the event is not lost.
    if (state) {
      state.outcome = 'error';
      state.fields.error = describeError(error);
    } else {
      logger.error('unexpected error handling a request', { error: describeError(error) });
    }
    res.status(500).json({ error: 'internal', message: 'The receiver failed; retry later.' });
  });

  return app;
}

/** The per-client rate limit, when configured: 429 with `Retry-After`, before anything else. */
function limitRate(settings: ReceiverSettings, logger: Logger) {
  const { max, windowSeconds } = settings.rateLimit;
  if (max === 0) return [];
  return [
    rateLimit({
      windowMs: windowSeconds * 1000,
      limit: max,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).json({
          error: 'rate_limited',
          message: `More than ${max} requests in ${windowSeconds} s; retry after the pause.`,
        });
      },
      // Its configuration warnings go to our log as JSON lines, not to the console.
      logger: {
        warn: (error: unknown) => logger.warn('rate limit', { error: describeError(error) }),
        error: (error: unknown) => logger.warn('rate limit', { error: describeError(error) }),
      },
    }),
  ];
}

/**
 * Admits a caller whose API key or Basic credentials match, or whose body carries a valid
 * signature (read only then, and only up to the body limit). Anyone else gets a bare 401,
 * before the body is read or anything is forwarded or stored.
 */
function authenticate(
  auth: Authenticator,
  readBody: express.RequestHandler,
  metrics: ReceiverMetrics,
) {
  const deny = (res: Response, reason: 'missing' | 'invalid') => {
    const state = webhookState(res);
    state.outcome = 'unauthorized';
    state.fields.reason = `${reason}_credentials`;
    metrics.authFailures.inc({ reason });
    res.status(401).json({ error: 'unauthorized' });
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (auth.disabled) return next();
    const verdict = auth.checkHeaders(req.headers);
    if (verdict === 'admitted') return next();

    const signature = req.get(SIGNATURE_HEADER);
    if (!auth.verifiesSignatures || signature === undefined) return deny(res, verdict);
    readBody(req, res, (error?: unknown) => {
      if (error) return next(error);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (auth.checkSignature(body, signature)) return next();
      deny(res, 'invalid');
    });
  };
}

function requireJson(req: Request, res: Response, next: NextFunction): void {
  // The body is read as UTF-8 bytes; a body declared in another charset would be misread.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1];
  const utf8 = charset === undefined || /^utf-?8$/i.test(charset);
  // `req.is` is null for a request with no body at all: the body check then answers 400.
  const type = req.is(JSON_TYPES);
  if ((type || type === null) && utf8) return next();
  const declared = req.get('content-type');
  webhookState(res).fields.reason = 'unsupported_media_type';
  res.status(415).json({
    error: 'unsupported_media_type',
    message: `Send the event as UTF-8 JSON (Content-Type: application/json); got ${
      declared ? JSON.stringify(declared) : 'no Content-Type'
    }.`,
  });
}

/** Errors body-parser raises, with the answer each deserves. */
function httpErrorOf(
  error: unknown,
): { status: number; code: string; message: string } | undefined {
  const { type, status, limit } = (error ?? {}) as {
    type?: string;
    status?: number;
    limit?: number;
  };
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
