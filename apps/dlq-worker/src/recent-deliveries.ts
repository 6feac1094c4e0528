/**
 * Event ids this process delivered in the last `windowSeconds`, so a second copy of an event
 * (Genesys sends duplicates; a crash between send and delete leaves one) is deleted without
 * calling the downstream again. Bounded: beyond `maxEntries` the oldest are forgotten first.
 */
export class RecentDeliveries {
  private readonly deliveredAt = new Map<string, number>();

  constructor(
    private readonly windowSeconds: number,
    private readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  remember(eventId: string): void {
    if (this.windowSeconds <= 0) return;
    this.deliveredAt.delete(eventId);
    this.deliveredAt.set(eventId, this.clock());
    this.forgetExpired();
    while (this.deliveredAt.size > this.maxEntries) {
      this.deliveredAt.delete(this.deliveredAt.keys().next().value as string);
    }
  }

  has(eventId: string): boolean {
    const at = this.deliveredAt.get(eventId);
    return at !== undefined && this.clock() - at < this.windowSeconds * 1000;
  }

  /** Map order is insertion order, and `remember` re-inserts: the oldest entries come first. */
  private forgetExpired(): void {
    const cutoff = this.clock() - this.windowSeconds * 1000;
    for (const [eventId, at] of this.deliveredAt) {
      if (at >= cutoff) return;
      this.deliveredAt.delete(eventId);
    }
  }
}
