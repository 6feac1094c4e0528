/** How one entry of a batch call ended. */
export type EntryResult<R> =
  | { ok: true; value: R }
  | { ok: false; error: Error; /** Worth sending again on its own. */ retry: boolean };

export interface BatcherOptions<T> {
  /** Most entries in one call. Default 10 (SQS's limit). */
  maxEntries?: number;
  /** Most bytes in one call, by `sizeOf`. Default unlimited. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
  /** How long the first entry waits for company before the call is made. Default 5 ms. */
  lingerMs?: number;
  /** Calls one entry may take part in before its failure is final. Default 3. */
  maxEntryAttempts?: number;
}

interface Pending<T, R> {
  item: T;
  attempts: number;
  resolve: (value: R) => void;
  reject: (error: Error) => void;
}

/**
 * Coalesces single requests into batch calls. Each caller's promise settles with its own
 * entry's result: one failed entry rejects only its caller. An entry the batch call reports
 * as worth retrying goes into the next call, up to `maxEntryAttempts` calls; a call that
 * fails as a whole rejects every entry in it.
 */
export class Batcher<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inCalls = new Set<Promise<void>>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (item: T) => number;
  private readonly lingerMs: number;
  private readonly maxEntryAttempts: number;

  constructor(
    private readonly call: (items: T[]) => Promise<Array<EntryResult<R>>>,
    options: BatcherOptions<T> = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.sizeOf = options.sizeOf ?? (() => 0);
    this.lingerMs = options.lingerMs ?? 5;
    this.maxEntryAttempts = options.maxEntryAttempts ?? 3;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, attempts: 0, resolve, reject });
      this.schedule();
    });
  }

  /** Makes the calls for everything waiting now and resolves when all calls have ended. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) this.dispatch();
    while (this.inCalls.size > 0) await Promise.allSettled([...this.inCalls]);
  }

  private schedule(): void {
    if (this.queue.length >= this.maxEntries) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.dispatch();
      if (this.queue.length > 0) this.schedule();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      while (this.queue.length > 0) this.dispatch();
    }, this.lingerMs);
  }

  /** Takes the next batch off the queue, within the entry and byte limits, and calls. */
  private dispatch(): void {
    const batch: Array<Pending<T, R>> = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.maxEntries) {
      const size = this.sizeOf(this.queue[0].item);
      if (batch.length > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      batch.push(this.queue.shift() as Pending<T, R>);
    }
    if (batch.length === 0) return;

    const running = this.run(batch).finally(() => this.inCalls.delete(running));
    this.inCalls.add(running);
  }

  private async run(batch: Array<Pending<T, R>>): Promise<void> {
    batch.forEach((entry) => (entry.attempts += 1));
    let results: Array<EntryResult<R>>;
    try {
      results = await this.call(batch.map((entry) => entry.item));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      batch.forEach((entry) => entry.reject(failure));
      return;
    }

    const again: Array<Pending<T, R>> = [];
    batch.forEach((entry, index) => {
      const result = results[index];
      if (result.ok) entry.resolve(result.value);
      else if (result.retry && entry.attempts < this.maxEntryAttempts) again.push(entry);
      else entry.reject(result.error);
    });
    if (again.length > 0) {
      this.queue.unshift(...again);
      this.schedule();
    }
  }
}
