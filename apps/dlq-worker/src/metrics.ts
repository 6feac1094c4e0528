import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from './downstream-gate';

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** The worker's Prometheus metrics, in a registry of their own (served on the health port). */
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly received = new Counter({
    name: 'dlq_worker_messages_received_total',
    help: 'Messages received from the DLQ.',
    registers: [this.registry],
  });

  readonly handled = new Counter({
    name: 'dlq_worker_messages_handled_total',
    help: 'Messages handled, by outcome: delivered, duplicate, retry_scheduled, parked, held.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly parked = new Counter({
    name: 'dlq_worker_messages_parked_total',
    help: 'Messages moved to the parking queue, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly settleFailures = new Counter({
    name: 'dlq_worker_settle_failures_total',
    help: 'Messages left on the DLQ because a queue call failed; they come back later.',
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'dlq_worker_in_flight',
    help: 'Messages being handled now.',
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'dlq_worker_breaker_state',
    help: 'Circuit breaker toward the downstream: 0 closed, 1 half-open, 2 open.',
    registers: [this.registry],
  });

  readonly deliveryDuration = new Histogram({
    name: 'dlq_worker_delivery_duration_seconds',
    help: 'Duration of delivery tries, by outcome: delivered, retryable, permanent.',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  setBreakerState(state: BreakerState): void {
    this.breakerState.set(BREAKER_VALUES[state]);
  }
}
