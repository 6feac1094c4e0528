/** A copy of an event this process has acknowledged, or is still deciding. */
export interface Duplicate {
  outcome: 'duplicate';
  /** `in_flight`: it waited for the first copy; `recent`: the first was settled already. */
  of: 'in_flight' | 'recent';
}

/**
 * Event ids this process has delivered or stored, for `windowSeconds`, and the ids whose
 * first copy is still being decided. Copies of an acknowledged event are answered as
 * duplicates; a copy arriving mid-decision waits for the first and shares its outcome; a
 * failed first copy is forgotten at once, so the sender's retry is tried afresh.
 *
 * Memory is bounded by `maxEvents`: the oldest ids are forgotten first. All ids live for
 * the same window, so insertion order is expiry order and pruning stops at the first live id.
 */
export class RecentEvents<R extends { outcome: string }> {
  private readonly settled = new Map<string, number>();
  private readonly deciding = new Map<string, Promise<R>>();
  private readonly windowMs: number;

  constructor(
    windowSeconds: number,
    private readonly maxEvents: number,
    /** Whether an outcome was acknowledged, so that copies of it are duplicates. */
    private readonly acknowledged: (result: R) => boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = windowSeconds * 1000;
  }

  /** Ids remembered now, settled and deciding. */
  get size(): number {
    return this.settled.size + this.deciding.size;
  }

  /**
   * Runs `decide` for the first copy of `eventId`. A copy within the window of an
   * acknowledged one gets a {@link Duplicate} without running anything.
   */
  async handle(eventId: string, decide: () => Promise<R>): Promise<R | Duplicate> {
    if (this.windowMs === 0) return decide();
    this.prune();

    if (this.settled.has(eventId)) return { outcome: 'duplicate', of: 'recent' };
    const first = this.deciding.get(eventId);
    if (first) {
      const result = await first;
      return this.acknowledged(result) ? { outcome: 'duplicate', of: 'in_flight' } : result;
    }

    const running = decide();
    this.deciding.set(eventId, running);
    try {
      const result = await running;
      if (this.acknowledged(result)) this.remember(eventId);
      return result;
    } finally {
      this.deciding.delete(eventId);
    }
  }

  private remember(eventId: string): void {
    this.settled.delete(eventId);
    this.settled.set(eventId, this.now() + this.windowMs);
    this.prune();
  }

  private prune(): void {
    const now = this.now();
    for (const [eventId, expiresAt] of this.settled) {
      if (expiresAt > now && this.settled.size <= this.maxEvents) break;
      this.settled.delete(eventId);
    }
  }
}
