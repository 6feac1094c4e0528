import type { AttemptRecord, DlqEnvelope } from '@webhook-dlq/payloads';
import { retryDelaySeconds } from '../src/backoff';
import { decide, type RetryPolicy } from '../src/decide';

const policy: RetryPolicy = {
  maxAttempts: 4,
  maxEventAgeSeconds: 3600,
  baseDelaySeconds: 5,
  maxDelaySeconds: 900,
};
const now = new Date('2026-01-01T00:10:00.000Z');
const received = { kind: 'received', now, deliveredRecently: false } as const;
const attempted = { kind: 'attempted', now } as const;

function envelopeWith(...outcomes: Array<Partial<AttemptRecord>>): DlqEnvelope {
  return {
    schemaVersion: 1,
    eventId: 'e',
    topic: 't',
    contentType: 'application/json',
    body: '{}',
    firstReceivedAt: '2026-01-01T00:00:00.000Z',
    attempts: outcomes.map((attempt, index) => ({
      attempt: index + 1,
      at: '2026-01-01T00:00:00.000Z',
      outcome: 'retryable',
      durationMs: 1,
      by: index === 0 ? 'receiver' : 'dlq-worker',
      ...attempt,
    })),
  };
}

describe('decide, as a message comes off the DLQ', () => {
  it('delivers an event the receiver could not deliver', () => {
    expect(decide(envelopeWith({}), received, policy)).toEqual({ action: 'deliver' });
  });

  it('delivers an envelope with no history yet', () => {
    expect(decide(envelopeWith(), received, policy)).toEqual({ action: 'deliver' });
  });

  it('parks without a try what the receiver found permanent', () => {
    expect(
      decide(envelopeWith({ outcome: 'permanent', statusCode: 400 }), received, policy),
    ).toEqual({
      action: 'park',
      reason: 'permanent',
    });
  });

  it('parks without a try an event that has no tries left', () => {
    expect(decide(envelopeWith({}, {}, {}, {}), received, policy)).toEqual({
      action: 'park',
      reason: 'exhausted',
    });
  });
});

describe('decide, more situations', () => {
  it('deletes a copy of an event this process delivered recently, without a try', () => {
    expect(decide(envelopeWith({}), { ...received, deliveredRecently: true }, policy)).toEqual({
      action: 'delete',
      reason: 'duplicate',
    });
  });

  it('parks an event older than the age limit', () => {
    const old = new Date('2026-01-01T01:00:00.000Z');
    expect(decide(envelopeWith({}), { ...received, now: old }, policy)).toEqual({
      action: 'park',
      reason: 'expired',
    });
  });

  it('counts age from the newest replay', () => {
    const replayed = {
      ...envelopeWith({}),
      replays: [{ at: '2026-01-01T00:59:00.000Z', actor: 'ops', attemptsBefore: 1 }],
    };
    const later = new Date('2026-01-01T01:00:00.000Z');
    expect(decide(replayed, { ...received, now: later }, policy)).toEqual({ action: 'deliver' });
  });

  it('holds a message whose notBefore is ahead, for the rest of the wait, without a try', () => {
    const waiting = { ...envelopeWith({}), notBefore: '2026-01-01T00:30:00.000Z' };
    expect(decide(waiting, received, policy)).toEqual({
      action: 'hold',
      seconds: 1200,
      reason: 'not_before',
    });
    expect(decide({ ...waiting, notBefore: '2026-01-01T00:00:00.000Z' }, received, policy)).toEqual(
      {
        action: 'deliver',
      },
    );
  });

  it('holds a message that was not tried because of shutdown or an open breaker', () => {
    expect(
      decide(
        envelopeWith({}),
        { kind: 'not_attempted', reason: 'shutdown', retryInSeconds: 0 },
        policy,
      ),
    ).toEqual({ action: 'hold', seconds: 0, reason: 'shutdown' });
    expect(
      decide(
        envelopeWith({}),
        { kind: 'not_attempted', reason: 'breaker_open', retryInSeconds: 30 },
        policy,
      ),
    ).toEqual({ action: 'hold', seconds: 30, reason: 'breaker_open' });
  });

  it('gives a replayed event a fresh attempt budget', () => {
    const replayed = {
      ...envelopeWith({}, {}, {}, {}),
      replays: [{ at: '2026-01-01T00:05:00.000Z', actor: 'ops', attemptsBefore: 4 }],
    };
    expect(decide(replayed, received, policy)).toEqual({ action: 'deliver' });
  });

  it('allows delays up to 12 hours', () => {
    const long = { ...policy, maxDelaySeconds: 43_200 };
    const decision = decide(envelopeWith({}, { retryAfterSeconds: 7200 }), attempted, long);
    expect(decision).toEqual({ action: 'retry', delaySeconds: 7200 });
  });
});

describe('decide, after a try', () => {
  it('deletes a delivered event', () => {
    expect(decide(envelopeWith({}, { outcome: 'delivered' }), attempted, policy)).toEqual({
      action: 'delete',
      reason: 'delivered',
    });
  });

  it('parks a permanent failure at once', () => {
    expect(decide(envelopeWith({}, { outcome: 'permanent' }), attempted, policy)).toEqual({
      action: 'park',
      reason: 'permanent',
    });
  });

  it('retries a retryable failure later while tries remain', () => {
    const decision = decide(envelopeWith({}, {}), attempted, policy);
    expect(decision.action).toBe('retry');
  });

  it('parks as exhausted after the last try', () => {
    expect(decide(envelopeWith({}, {}, {}, {}), attempted, policy)).toEqual({
      action: 'park',
      reason: 'exhausted',
    });
  });

  it("follows the downstream's Retry-After, within the configured bounds", () => {
    const withRetryAfter = (seconds: number) =>
      decide(envelopeWith({}, { retryAfterSeconds: seconds }), attempted, policy);
    expect(withRetryAfter(120)).toEqual({ action: 'retry', delaySeconds: 120 });
    expect(withRetryAfter(1)).toEqual({ action: 'retry', delaySeconds: 5 });
    expect(withRetryAfter(86_400)).toEqual({ action: 'retry', delaySeconds: 900 });
  });
});

describe('retryDelaySeconds', () => {
  const settings = { baseDelaySeconds: 5, maxDelaySeconds: 900 };

  it('doubles with each try, with jitter between half and all of the step', () => {
    expect(retryDelaySeconds(2, settings, undefined, () => 0)).toBe(5);
    expect(retryDelaySeconds(2, settings, undefined, () => 1)).toBe(5);
    expect(retryDelaySeconds(3, settings, undefined, () => 0)).toBe(5);
    expect(retryDelaySeconds(3, settings, undefined, () => 1)).toBe(10);
    expect(retryDelaySeconds(6, settings, undefined, () => 0)).toBe(40);
    expect(retryDelaySeconds(6, settings, undefined, () => 1)).toBe(80);
  });

  it('never exceeds the maximum nor goes under the base', () => {
    for (let attempt = 2; attempt < 40; attempt += 1) {
      const delay = retryDelaySeconds(attempt, settings);
      expect(delay).toBeGreaterThanOrEqual(5);
      expect(delay).toBeLessThanOrEqual(900);
    }
    expect(retryDelaySeconds(30, settings, undefined, () => 1)).toBe(900);
  });
});
