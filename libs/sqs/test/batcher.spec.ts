import { Batcher, type EntryResult } from '../src';

describe('Batcher', () => {
  it('coalesces concurrent requests into calls of at most maxEntries', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls.push(items);
        return items.map((value) => ({ ok: true, value: value * 2 }));
      },
      { maxEntries: 10, lingerMs: 5 },
    );

    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => batcher.add(i)));

    expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
    expect(calls.map((call) => call.length)).toEqual([10, 10, 5]);
  });

  it('keeps a call within maxBytes', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string, void>(
      async (items) => {
        calls.push(items);
        return items.map(() => ({ ok: true, value: undefined }));
      },
      { maxBytes: 10, sizeOf: (item) => item.length },
    );

    await Promise.all(['aaaa', 'bbbb', 'cccc', 'dd'].map((item) => batcher.add(item)));

    expect(calls).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc', 'dd'],
    ]);
  });

  it('rejects only the entry that failed for good, and retries one worth retrying', async () => {
    let round = 0;
    const batcher = new Batcher<string, string>(async (items) => {
      round += 1;
      return items.map((item): EntryResult<string> => {
        if (item === 'bad') return { ok: false, retry: false, error: new Error('refused') };
        if (item === 'flaky' && round === 1)
          return { ok: false, retry: true, error: new Error('busy') };
        return { ok: true, value: item };
      });
    });

    const outcomes = await Promise.allSettled(['good', 'bad', 'flaky'].map((i) => batcher.add(i)));

    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'good' },
      { status: 'rejected', reason: new Error('refused') },
      { status: 'fulfilled', value: 'flaky' },
    ]);
    expect(round).toBe(2);
  });

  it('gives up on an entry after maxEntryAttempts calls', async () => {
    let calls = 0;
    const batcher = new Batcher<string, string>(
      async (items) => {
        calls += 1;
        return items.map(() => ({ ok: false, retry: true, error: new Error('still busy') }));
      },
      { maxEntryAttempts: 3, lingerMs: 1 },
    );

    await expect(batcher.add('x')).rejects.toThrow('still busy');
    expect(calls).toBe(3);
  });

  it('rejects every entry of a call that failed as a whole', async () => {
    const batcher = new Batcher<string, string>(async () => {
      throw new Error('network down');
    });
    const outcomes = await Promise.allSettled(['a', 'b'].map((item) => batcher.add(item)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('flush makes the waiting call at once', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string, void>(
      async (items) => {
        calls.push(items);
        return items.map(() => ({ ok: true, value: undefined }));
      },
      { lingerMs: 60_000 },
    );
    const pending = batcher.add('a');
    await batcher.flush();
    await pending;
    expect(calls).toEqual([['a']]);
  });
});
