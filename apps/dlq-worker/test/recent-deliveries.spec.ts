import { RecentDeliveries } from '../src/recent-deliveries';

describe('RecentDeliveries', () => {
  it('remembers an event for the window, then forgets it', () => {
    let now = 0;
    const recent = new RecentDeliveries(10, 100, () => now);

    recent.remember('a');
    now = 9_999;
    expect(recent.has('a')).toBe(true);
    now = 10_000;
    expect(recent.has('a')).toBe(false);
  });

  it('forgets the oldest first beyond its size', () => {
    const recent = new RecentDeliveries(600, 2);
    ['a', 'b', 'c'].forEach((id) => recent.remember(id));
    expect(['a', 'b', 'c'].map((id) => recent.has(id))).toEqual([false, true, true]);
  });

  it('remembers nothing with a window of 0', () => {
    const recent = new RecentDeliveries(0);
    recent.remember('a');
    expect(recent.has('a')).toBe(false);
  });
});
