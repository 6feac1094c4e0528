import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { describeError, type Logger } from '@webhook-dlq/runtime';
import type { QueueDepth } from '@webhook-dlq/sqs';
import type { Check, VerifyReport } from '../genesys/verify';

export interface MonitorDeps {
  verify: () => Promise<VerifyReport>;
  /** Depth of each queue by role (`dlq`, `parked`). */
  depths: () => Promise<Record<string, QueueDepth>>;
  logger: Logger;
  intervalMs: number;
}

/** What `GET /status` answers: the newest run's results. */
export interface MonitorStatus {
  ok: boolean;
  /** When the newest run finished; null before the first one. */
  checked_at: string | null;
  verify_interval_seconds: number;
  checks: Check[];
  queues: Record<string, QueueDepth> | null;
  queue_error: string | null;
}

/**
 * Runs the verify checks and reads the queue depths every interval, and keeps the results
 * for /status and /metrics, so that configuration drift on the Genesys side and a growing
 * DLQ can alert. Runs never overlap; a failing run is a result, never a crash.
 */
export class StatusMonitor {
  readonly registry = new Registry();
  private status: MonitorStatus;
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private stopped = false;

  private readonly checkGauge = new Gauge({
    name: 'genesys_admin_check_ok',
    help: 'Each verify check: 1 passed, 0 failed.',
    labelNames: ['check'],
    registers: [this.registry],
  });
  private readonly verifyGauge = new Gauge({
    name: 'genesys_admin_verify_ok',
    help: 'All verify checks passed in the newest run: 1 yes, 0 no.',
    registers: [this.registry],
  });
  private readonly lastRunGauge = new Gauge({
    name: 'genesys_admin_last_run_timestamp_seconds',
    help: 'When the newest verify and queue run finished (Unix time).',
    registers: [this.registry],
  });
  private readonly queueGauge = new Gauge({
    name: 'genesys_admin_queue_messages',
    help: 'Messages per queue (dlq, parked) and state (visible, in_flight, delayed).',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });
  private readonly queueReadGauge = new Gauge({
    name: 'genesys_admin_queue_read_ok',
    help: 'The queue depths could be read in the newest run: 1 yes, 0 no.',
    registers: [this.registry],
  });

  constructor(private readonly deps: MonitorDeps) {
    collectDefaultMetrics({ register: this.registry });
    this.status = {
      ok: false,
      checked_at: null,
      verify_interval_seconds: Math.round(deps.intervalMs / 1000),
      checks: [],
      queues: null,
      queue_error: null,
    };
  }

  snapshot(): MonitorStatus {
    return this.status;
  }

  /** Runs now, then every interval after each run ends. */
  start(): void {
    const loop = async () => {
      this.current = this.runOnce();
      await this.current;
      if (!this.stopped) this.timer = setTimeout(loop, this.deps.intervalMs);
    };
    void loop();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  async runOnce(): Promise<void> {
    const started = performance.now();
    const [report, queues] = await Promise.all([
      this.deps.verify().catch((error: unknown): VerifyReport => ({
        ok: false,
        checkedAt: new Date().toISOString(),
        checks: [{ id: 'verify', label: 'verify', ok: false, reason: describeError(error) }],
      })),
      this.deps.depths().then(
        (depths) => ({ depths, error: null }),
        (error: unknown) => ({ depths: null, error: describeError(error) }),
      ),
    ]);

    this.checkGauge.reset();
    for (const check of report.checks) this.checkGauge.set({ check: check.id }, check.ok ? 1 : 0);
    this.verifyGauge.set(report.ok ? 1 : 0);
    this.queueReadGauge.set(queues.depths ? 1 : 0);
    for (const [queue, depth] of Object.entries(queues.depths ?? {})) {
      this.queueGauge.set({ queue, state: 'visible' }, depth.visible);
      this.queueGauge.set({ queue, state: 'in_flight' }, depth.inFlight);
      this.queueGauge.set({ queue, state: 'delayed' }, depth.delayed);
    }
    const finishedAt = new Date();
    this.lastRunGauge.set(finishedAt.getTime() / 1000);

    this.status = {
      ...this.status,
      ok: report.ok && queues.depths !== null,
      checked_at: finishedAt.toISOString(),
      checks: report.checks,
      queues: queues.depths ?? this.status.queues,
      queue_error: queues.error,
    };
    const failed = report.checks.filter((check) => !check.ok);
    this.deps.logger.log(this.status.ok ? 'info' : 'warn', 'status checked', {
      outcome: this.status.ok ? 'ok' : 'failing',
      failed_checks: failed.map((check) => check.id),
      dlq_visible: queues.depths?.dlq?.visible,
      parked_visible: queues.depths?.parked?.visible,
      queue_error: queues.error ?? undefined,
      duration_ms: Math.round(performance.now() - started),
    });
  }
}
