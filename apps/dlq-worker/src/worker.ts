import { describeError, type Logger } from '@webhook-dlq/runtime';
import type { ReceivedMessage, ReceiveOptions } from '@webhook-dlq/sqs';
import { type HandledMessage, handleMessage, type HandlerDeps, type QueueOps } from './handle-message';

export interface WorkerDeps extends HandlerDeps {
  dlq: QueueOps & { receive(options: ReceiveOptions): Promise<ReceivedMessage[]> };
  logger: Logger;
  maxInFlight: number;
  visibilityTimeoutSeconds: number;
  waitTimeSeconds: number;
}

/** What /healthz and /readyz report about the loop. */
export interface WorkerStatus {
  running: boolean;
  inFlight: number;
  handled: number;
  lastReceiveError?: string;
}

const RECEIVE_ERROR_PAUSE_MS = 1000;

/**
 * Polls the DLQ without pause and hands each message to {@link handleMessage}, with up to
 * `maxInFlight` messages in progress at once. It asks SQS only for as many messages as it has
 * free slots (at most 10), so nothing it receives waits for a slot.
 */
export class DlqWorker {
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private handled = 0;
  private lastReceiveError: string | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    this.loop ??= this.pollLoop();
  }

  status(): WorkerStatus {
    return {
      running: this.loop !== undefined && !this.stopping.signal.aborted,
      inFlight: this.inFlight.size,
      handled: this.handled,
      lastReceiveError: this.lastReceiveError,
    };
  }

  /**
   * Stops receiving at once and waits up to `graceMs` for messages in progress. Resolves
   * `true` when all finished. Unfinished messages stay on the DLQ and come back after their
   * visibility timeout.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping.abort();
    this.slotFreed?.();
    await this.loop;

    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finished = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true as const),
      expired,
    ]);
    clearTimeout(timer);
    return finished;
  }

  private async pollLoop(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      await this.freeSlot();
      if (signal.aborted) break;

      let messages: ReceivedMessage[];
      try {
        messages = await this.deps.dlq.receive({
          maxMessages: Math.min(10, this.deps.maxInFlight - this.inFlight.size),
          waitTimeSeconds: this.deps.waitTimeSeconds,
          visibilityTimeoutSeconds: this.deps.visibilityTimeoutSeconds,
          signal,
        });
        this.lastReceiveError = undefined;
      } catch (error) {
        this.lastReceiveError = describeError(error);
        this.deps.logger.warn('receive failed', { error: this.lastReceiveError });
        await pause(RECEIVE_ERROR_PAUSE_MS, signal);
        continue;
      }

      for (const message of messages) this.track(this.process(message));
    }
  }

  private async process(message: ReceivedMessage): Promise<void> {
    const started = performance.now();
    try {
      const result = await handleMessage(message, this.deps);
      this.log(message, result, started);
    } catch (error) {
      // The message stays on the DLQ and comes back after its visibility timeout.
      this.deps.logger.error('dlq message', {
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

  private log(message: ReceivedMessage, result: HandledMessage, started: number): void {
    this.handled += 1;
    this.deps.logger.info('dlq message', {
      message_id: message.messageId,
      event_id: result.eventId ?? message.attributes.event_id,
      topic: result.topic ?? message.attributes.topic,
      outcome: result.outcome,
      attempt: result.attempt,
      status_code: result.delivery?.statusCode,
      delivery_error: result.delivery?.error,
      downstream_ms: result.delivery?.durationMs,
      delay_seconds: result.delaySeconds,
      park_reason: result.parkReason,
      receive_count: message.receiveCount,
      duration_ms: Math.round(performance.now() - started),
    });
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.slotFreed?.();
    });
  }

  private async freeSlot(): Promise<void> {
    while (this.inFlight.size >= this.deps.maxInFlight && !this.stopping.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.slotFreed = resolve;
      });
      this.slotFreed = undefined;
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
