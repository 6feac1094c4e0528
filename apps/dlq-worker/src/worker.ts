import { describeError, type Logger } from '@webhook-dlq/runtime';
import type { ReceivedMessage, ReceiveOptions } from '@webhook-dlq/sqs';
import type { BreakerState, DownstreamGate } from './downstream-gate';
import {
  type HandledMessage,
  handleMessage,
  type HandlerDeps,
  type PayloadStore,
  type QueueOps,
} from './handle-message';
import type { WorkerMetrics } from './metrics';
import { RecentDeliveries } from './recent-deliveries';

export interface WorkerSettings {
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  /** More headers for the downstream, e.g. its `Authorization`; never logged. */
  downstreamHeaders?: Readonly<Record<string, string>>;
  policy: HandlerDeps['policy'];
  maxInFlight: number;
  visibilityTimeoutSeconds: number;
  waitTimeSeconds: number;
  dedupWindowSeconds: number;
}

export interface WorkerResources {
  /** Where messages are received from. */
  source: { receive(options: ReceiveOptions): Promise<ReceivedMessage[]> };
  /** Sends, deletes and visibility changes on the DLQ (batched underneath). */
  dlq: QueueOps & { flush?: () => Promise<void> };
  parked: Pick<QueueOps, 'send'> & { flush?: () => Promise<void> };
  gate: DownstreamGate;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Where bodies too large for a queue message are kept; needed for envelopes with bodyRef. */
  payloads?: PayloadStore;
}

/** What /healthz and /readyz report about the worker. */
export interface WorkerStatus {
  running: boolean;
  inFlight: number;
  handled: number;
  breaker: BreakerState;
  lastReceiveError?: string;
}

const RECEIVE_ERROR_PAUSE_MS = 1000;
/** After the grace period, interrupted deliveries get this long to release their messages. */
const RELEASE_AFTER_INTERRUPT_MS = 5000;

/**
 * Polls the DLQ without pause and hands each message to {@link handleMessage}, up to
 * `maxInFlight` at once. It asks SQS only for as many messages as it has free slots (at most
 * 10), so nothing received waits for a slot. While the circuit breaker is open it does not
 * receive at all; half-open, it receives one message as the probe.
 */
export class DlqWorker {
  private readonly stopping = new AbortController();
  private readonly interrupt = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recent: RecentDeliveries;
  private slotFreed: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<boolean> | undefined;
  private handled = 0;
  private lastReceiveError: string | undefined;

  constructor(
    private readonly settings: WorkerSettings,
    private readonly resources: WorkerResources,
  ) {
    this.recent = new RecentDeliveries(settings.dedupWindowSeconds);
    resources.metrics.setBreakerState(resources.gate.state());
    resources.gate.onStateChange((state) => {
      resources.metrics.setBreakerState(state);
      resources.logger.warn('circuit breaker', { breaker_state: state });
      this.slotFreed?.();
    });
  }

  start(): void {
    this.loop ??= this.pollLoop();
  }

  status(): WorkerStatus {
    return {
      running: this.loop !== undefined && !this.stopping.signal.aborted,
      inFlight: this.inFlight.size,
      handled: this.handled,
      breaker: this.resources.gate.state(),
      lastReceiveError: this.lastReceiveError,
    };
  }

  /**
   * Drains: sends no more receives (one already waiting finishes, and what it returns is made
   * visible again at once), makes messages waiting for the rate limit visible again at once,
   * and waits up to `graceMs` for deliveries in progress. Deliveries still
   * running then are aborted and their messages made visible again, without counting a try.
   * Resolves `true` when every delivery finished within the grace period. Calling it again
   * returns the first call's outcome.
   */
  stop(graceMs: number): Promise<boolean> {
    this.stopped ??= this.drain(graceMs);
    return this.stopped;
  }

  private async drain(graceMs: number): Promise<boolean> {
    this.stopping.abort();
    this.slotFreed?.();
    await this.resources.gate.dropWaiting();

    const [finished] = await Promise.all([settledWithin([...this.inFlight], graceMs), this.loop]);
    if (!finished) {
      this.interrupt.abort();
      await settledWithin([...this.inFlight], RELEASE_AFTER_INTERRUPT_MS);
    }
    await Promise.all([this.resources.dlq.flush?.(), this.resources.parked.flush?.()]);
    this.resources.gate.close();
    return finished;
  }

  private async pollLoop(): Promise<void> {
    const { signal } = this.stopping;
    const { gate } = this.resources;
    while (!signal.aborted) {
      await gate.whenNotOpen(signal);
      const probing = gate.state() === 'half_open';
      // Half-open lets one probe through; wait for its outcome before receiving more.
      const limit = probing ? 1 : this.settings.maxInFlight;
      if (this.inFlight.size >= limit) {
        await this.nextSlot();
        continue;
      }
      if (signal.aborted) break;

      // The long poll is not aborted on stop: SQS may hand messages to a poll whose caller has
      // gone, hiding them for a visibility timeout and counting a receive. Its messages are
      // released below instead.
      let messages: ReceivedMessage[];
      try {
        messages = await this.resources.source.receive({
          maxMessages: Math.min(10, limit - this.inFlight.size),
          waitTimeSeconds: this.settings.waitTimeSeconds,
          visibilityTimeoutSeconds: this.settings.visibilityTimeoutSeconds,
        });
        this.lastReceiveError = undefined;
      } catch (error) {
        this.lastReceiveError = describeError(error);
        this.resources.logger.warn('receive failed', { error: this.lastReceiveError });
        await pause(RECEIVE_ERROR_PAUSE_MS, signal);
        continue;
      }

      if (signal.aborted) {
        await this.release(messages);
        break;
      }
      this.resources.metrics.received.inc(messages.length);
      for (const message of messages) this.track(this.process(message));
    }
  }

  /** Makes messages received during shutdown visible again at once, without a try. */
  private async release(messages: ReceivedMessage[]): Promise<void> {
    await Promise.all(
      messages.map((message) =>
        this.resources.dlq.changeVisibility(message.receiptHandle, 0).then(
          () =>
            this.log(
              message,
              { outcome: 'held', holdSeconds: 0, holdReason: 'shutdown' },
              performance.now(),
            ),
          (error: unknown) =>
            this.resources.logger.warn('release failed', {
              message_id: message.messageId,
              error: describeError(error),
            }),
        ),
      ),
    );
  }

  private async process(message: ReceivedMessage): Promise<void> {
    const started = performance.now();
    const { logger, metrics } = this.resources;
    try {
      const result = await handleMessage(message, {
        ...this.settings,
        dlq: this.resources.dlq,
        parked: this.resources.parked,
        gate: this.resources.gate,
        recent: this.recent,
        payloads: this.resources.payloads,
        breakerCooldownSeconds: this.resources.gate.settings.breakerCooldownSeconds,
        interrupt: this.interrupt.signal,
        onHeartbeatFailure: (failed, error) =>
          logger.warn('visibility heartbeat failed', {
            message_id: failed.messageId,
            event_id: failed.attributes.event_id,
            error: describeError(error),
          }),
      });
      this.handled += 1;
      this.record(result);
      this.log(message, result, started);
    } catch (error) {
      metrics.settleFailures.inc();
      logger.error('dlq message', {
        message_id: message.messageId,
        event_id: message.attributes.event_id,
        topic: message.attributes.topic,
        outcome: 'left_on_queue',
        receive_count: message.receiveCount,
        duration_ms: Math.round(performance.now() - started),
        error: describeError(error),
      });
    }
  }

  private record(result: HandledMessage): void {
    const { metrics } = this.resources;
    metrics.handled.inc({ outcome: result.outcome });
    if (result.parkReason) metrics.parked.inc({ reason: result.parkReason });
    if (result.delivery) {
      metrics.deliveryDuration.observe(
        { outcome: result.delivery.outcome },
        result.delivery.durationMs / 1000,
      );
    }
  }

  private log(message: ReceivedMessage, result: HandledMessage, started: number): void {
    const fields = {
      message_id: message.messageId,
      event_id: result.eventId ?? message.attributes.event_id,
      topic: result.topic ?? message.attributes.topic,
      outcome: result.outcome,
      attempt: result.attempt,
      status_code: result.delivery?.statusCode,
      delivery_outcome: result.delivery?.outcome,
      delivery_error: result.delivery?.error,
      downstream_ms: result.delivery?.durationMs,
      next_delay_seconds: result.delaySeconds,
      hold_seconds: result.holdSeconds,
      hold_reason: result.holdReason,
      park_reason: result.parkReason,
      payload_left_in_s3: result.payloadLeft,
      receive_count: message.receiveCount,
      duration_ms: Math.round(performance.now() - started),
    };
    if (result.possibleDuplicate) {
      // The receipt expired before the delete: another worker may have handled it too.
      this.resources.logger.warn('dlq message', { ...fields, possible_duplicate: true });
    } else {
      this.resources.logger.info('dlq message', fields);
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    this.resources.metrics.inFlight.set(this.inFlight.size);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.resources.metrics.inFlight.set(this.inFlight.size);
      this.slotFreed?.();
    });
  }

  private nextSlot(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.slotFreed = () => {
        this.slotFreed = undefined;
        resolve();
      };
    });
  }
}

async function settledWithin(work: Array<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([Promise.allSettled(work).then(() => true as const), expired]);
  clearTimeout(timer);
  return result;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
