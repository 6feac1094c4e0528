import Bottleneck from 'bottleneck';
import CircuitBreaker from 'opossum';
import { attemptDelivery, type DeliveryRequest, type DeliveryResult } from '@webhook-dlq/delivery';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface GateSettings {
  /** Most deliveries started per second; 0 for no limit. */
  maxRps: number;
  /** Failure percentage over the window that opens the breaker. */
  breakerErrorPercent: number;
  /** Deliveries in the window before the breaker may open. */
  breakerMinRequests: number;
  breakerWindowSeconds: number;
  /** How long the breaker stays open before one probe delivery is let through. */
  breakerCooldownSeconds: number;
}

/** A delivery the gate did not start. */
export interface NotStarted {
  notStarted: 'breaker_open' | 'shutdown';
}

/** Carries a retryable result through the breaker so it counts as a failure. */
class RetryableResult extends Error {
  constructor(readonly result: DeliveryResult) {
    super(result.error ?? 'retryable');
  }
}

/**
 * Everything that stands between a message and the downstream: the rate limit and the
 * circuit breaker. Retryable results (5xx, 429, timeouts, connection errors) count as
 * failures; a permanent 4xx does not, since the downstream is up and answering.
 */
export class DownstreamGate {
  private readonly breaker: CircuitBreaker<[DeliveryRequest], DeliveryResult>;
  private readonly limiter: Bottleneck | undefined;
  private readonly changeListeners: Array<(state: BreakerState) => void> = [];

  constructor(readonly settings: GateSettings) {
    this.breaker = new CircuitBreaker(
      async (request: DeliveryRequest) => {
        const result = await attemptDelivery(request);
        if (result.outcome === 'retryable') throw new RetryableResult(result);
        return result;
      },
      {
        timeout: false,
        errorThresholdPercentage: settings.breakerErrorPercent,
        volumeThreshold: settings.breakerMinRequests,
        rollingCountTimeout: settings.breakerWindowSeconds * 1000,
        resetTimeout: settings.breakerCooldownSeconds * 1000,
      },
    );
    const announce = (state: BreakerState) => () =>
      this.changeListeners.forEach((listener) => listener(state));
    this.breaker.on('open', announce('open'));
    this.breaker.on('halfOpen', announce('half_open'));
    this.breaker.on('close', announce('closed'));

    this.limiter =
      settings.maxRps > 0
        ? new Bottleneck({ minTime: Math.ceil(1000 / settings.maxRps) })
        : undefined;
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.changeListeners.push(listener);
  }

  /** Resolves when the breaker is no longer open (at once if it is not). */
  whenNotOpen(signal: AbortSignal): Promise<void> {
    if (!this.breaker.opened || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.breaker.removeListener('halfOpen', done);
        this.breaker.removeListener('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.breaker.on('halfOpen', done);
      this.breaker.on('close', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Delivers when the rate limit and the breaker allow; never throws for a delivery failure. */
  async deliver(request: DeliveryRequest): Promise<DeliveryResult | NotStarted> {
    const fire = () => this.breaker.fire(request);
    try {
      return await (this.limiter ? this.limiter.schedule(fire) : fire());
    } catch (error) {
      if (error instanceof RetryableResult) return error.result;
      if ((error as { code?: string }).code === 'EOPENBREAKER')
        return { notStarted: 'breaker_open' };
      if (error instanceof Bottleneck.BottleneckError) return { notStarted: 'shutdown' };
      throw error;
    }
  }

  /** Drops deliveries waiting for the rate limit: they resolve at once as not started. */
  async dropWaiting(): Promise<void> {
    await this.limiter?.stop({ dropWaitingJobs: true });
  }

  /** Stops the breaker's timers. Deliveries after this are refused. */
  close(): void {
    this.breaker.shutdown();
  }
}

export function isNotStarted(value: DeliveryResult | NotStarted): value is NotStarted {
  return 'notStarted' in value;
}
