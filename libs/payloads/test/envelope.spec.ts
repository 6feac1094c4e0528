import {
  ageClockStart,
  attemptsInBudget,
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  EnvelopeError,
  envelopeBody,
  nextAttemptNumber,
  normalizeEvent,
  withAttempt,
  withBodyRef,
} from '../src';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';

function sampleEnvelope() {
  const body = Buffer.from(sampleBytes('eventBridgeEnd').toString('utf8') + '\n  "ünïcode ✓"');
  const event = {
    ...normalizeEvent({ body: sampleBytes('eventBridgeEnd'), contentType: 'x' }),
    body,
  };
  return createEnvelope(event, new Date('2026-01-01T00:00:00Z'));
}

describe('envelope', () => {
  it('round-trips through encode and decode with the body byte-identical', () => {
    const envelope = withAttempt(sampleEnvelope(), {
      attempt: 1,
      at: '2026-01-01T00:00:00.000Z',
      outcome: 'retryable',
      statusCode: 503,
      durationMs: 12,
      by: 'receiver',
    });

    const decoded = decodeEnvelope(encodeEnvelope(envelope));

    expect(decoded).toEqual(envelope);
    expect(envelopeBody(decoded).equals(envelopeBody(envelope))).toBe(true);
    expect(encodeEnvelope(envelope)).toContain('"body":"{');
    expect(nextAttemptNumber(decoded)).toBe(2);
  });

  it('does not change the envelope it adds an attempt to', () => {
    const envelope = sampleEnvelope();
    withAttempt(envelope, {
      attempt: 1,
      at: 'now',
      outcome: 'delivered',
      durationMs: 1,
      by: 'receiver',
    });
    expect(envelope.attempts).toEqual([]);
    expect(nextAttemptNumber(envelope)).toBe(1);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['an unknown version', JSON.stringify({ schemaVersion: 99 }), /schemaVersion 99/],
    ['no version', JSON.stringify({ eventId: 'x' }), /schemaVersion undefined/],
    ['a missing field', JSON.stringify({ ...sampleEnvelope(), body: undefined }), /body/],
    ['null', 'null', /schemaVersion undefined/],
  ])('rejects %s with a typed error', (_label, text, message) => {
    expect(() => decodeEnvelope(text)).toThrow(EnvelopeError);
    expect(() => decodeEnvelope(text)).toThrow(message);
  });
});

describe('attempt budget and age clock', () => {
  const attempt = (n: number) => ({
    attempt: n,
    at: '2026-01-02T00:00:00.000Z',
    outcome: 'retryable' as const,
    durationMs: 1,
    by: 'dlq-worker' as const,
  });

  it('count from first receipt when never replayed', () => {
    const envelope = withAttempt(withAttempt(sampleEnvelope(), attempt(1)), attempt(2));
    expect(attemptsInBudget(envelope)).toBe(2);
    expect(ageClockStart(envelope).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('count from the newest replay, with attempt numbers still rising', () => {
    const replayed = {
      ...withAttempt(withAttempt(sampleEnvelope(), attempt(1)), attempt(2)),
      replays: [{ at: '2026-02-01T00:00:00.000Z', actor: 'ops', attemptsBefore: 2 }],
    };
    expect(attemptsInBudget(replayed)).toBe(0);
    expect(nextAttemptNumber(replayed)).toBe(3);
    expect(attemptsInBudget(withAttempt(replayed, attempt(3)))).toBe(1);
    expect(ageClockStart(replayed).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(decodeEnvelope(encodeEnvelope(replayed))).toEqual(replayed);
  });
});

describe('bodies stored elsewhere (bodyRef)', () => {
  const ref = { bucket: 'b', key: 'payloads/k', sizeBytes: 12, sha256: 'a'.repeat(64) };

  it('encodes a pointer without a body field and decodes it with body empty', () => {
    const envelope = withBodyRef(sampleEnvelope(), ref);

    const text = encodeEnvelope(envelope);
    const decoded = decodeEnvelope(text);

    expect(JSON.parse(text)).not.toHaveProperty('body');
    expect(decoded.bodyRef).toEqual(ref);
    expect(decoded.body).toBe('');
    expect(() => envelopeBody(decoded)).toThrow(EnvelopeError);
  });

  it('still reads an envelope written before bodyRef existed', () => {
    const old = JSON.stringify({ ...sampleEnvelope() });
    expect(decodeEnvelope(old).body.length).toBeGreaterThan(0);
  });

  it.each([
    ['both body and bodyRef', { body: 'x', bodyRef: ref }],
    ['a bodyRef with a bad digest', { body: undefined, bodyRef: { ...ref, sha256: 'zz' } }],
    ['a bodyRef with no key', { body: undefined, bodyRef: { ...ref, key: '' } }],
  ])('rejects %s with a typed error', (_label, change) => {
    const text = JSON.stringify({ ...sampleEnvelope(), ...change });
    expect(() => decodeEnvelope(text)).toThrow(EnvelopeError);
  });

  it('writes characters SQS refuses as escapes that decode to the same body', () => {
    const body = Buffer.from('{"text":"end \uffff and \ud83d\ude00 ok"}');
    const sample = normalizeEvent({ body: sampleBytes('eventBridgeEnd'), contentType: 'x' });
    const envelope = createEnvelope({ ...sample, body }, new Date());

    const text = encodeEnvelope(envelope);

    expect(text).not.toMatch(/[\ud800-\udfff\ufffe\uffff]/);
    expect(envelopeBody(decodeEnvelope(text)).equals(body)).toBe(true);
  });
});
