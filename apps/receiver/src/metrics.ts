import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The receiver's Prometheus metrics, in a registry of their own, served on METRICS_PORT. */
export class ReceiverMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'receiver_requests_total',
    help:
      'Webhook requests by outcome: delivered, queued, duplicate, probe, rejected, ' +
      'unauthorized, rate_limited, too_large, unstored, error.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ackDuration = new Histogram({
    name: 'receiver_ack_duration_seconds',
    help: 'Time from a webhook request to its answer, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10],
    registers: [this.registry],
  });

  readonly downstreamDuration = new Histogram({
    name: 'receiver_downstream_duration_seconds',
    help: "The receiver's downstream tries, by outcome: delivered, retryable, permanent.",
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4],
    registers: [this.registry],
  });

  readonly dlqSendFailures = new Counter({
    name: 'receiver_dlq_send_failures_total',
    help:
      'Events that could not be stored, by stage: not_resolved, payload_store, dlq_send, ' +
      'too_large.',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'receiver_auth_failures_total',
    help: 'Requests refused with 401, by reason: missing or invalid credentials.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly duplicates = new Counter({
    name: 'receiver_duplicates_total',
    help: 'Copies answered as duplicates, by whether the first was in flight or recent.',
    labelNames: ['of'] as const,
    registers: [this.registry],
  });

  readonly payloadsOffloaded = new Counter({
    name: 'receiver_payloads_offloaded_total',
    help: 'Events stored with their body in S3, too large for a queue message.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}

/** Serves `/metrics` alone, on a port of its own so the public port never exposes it. */
export function createMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found', message: 'Try GET /metrics.' }));
  });
}
