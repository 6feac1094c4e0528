import { classifyStatus, parseRetryAfter } from '../src';

describe('classifyStatus', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyStatus(status)).toBe('delivered');
  });

  it.each([500, 502, 503, 504, 599, 408, 429])('%i is retryable', (status) => {
    expect(classifyStatus(status)).toBe('retryable');
  });

  it.each([100, 301, 302, 304, 400, 401, 403, 404, 409, 410, 413, 415, 422])(
    '%i is permanent',
    (status) => {
      expect(classifyStatus(status)).toBe('permanent');
    },
  );
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as seconds from now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
