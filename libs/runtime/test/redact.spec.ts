import { PassThrough } from 'node:stream';
import { createLogger, describeError, redact, REDACTED } from '../src';

describe('redact', () => {
  it('masks values under personal keys at any depth and leaves our own fields alone', () => {
    const fields = {
      event_id: '58fb5dac-f077-4eec-a25f-c638dbdd4368',
      duration_ms: 12,
      eventBody: { ani: 'tel:+13175550142' },
      participants: [
        { name: 'Zelda Quixote', address_from: 'zelda@example.org', purpose: 'customer' },
      ],
      CallbackNumbers: ['3175550177'],
    };

    expect(redact(fields)).toEqual({
      event_id: '58fb5dac-f077-4eec-a25f-c638dbdd4368',
      duration_ms: 12,
      eventBody: REDACTED,
      participants: [{ name: REDACTED, address_from: REDACTED, purpose: 'customer' }],
      CallbackNumbers: REDACTED,
    });
    expect(fields.participants[0].name).toBe('Zelda Quixote');
  });

  it.each([
    ['a phone number in E.164', 'call +1 317 555 0142 back', 'call [redacted] back'],
    ['a tel address', 'ani tel:+13175550142 refused', 'ani [redacted] refused'],
    ['a sip address', 'from sip:zelda@example.org;tag=1', 'from [redacted];tag=1'],
    ['an email', 'mail zelda.quixote@example.org now', 'mail [redacted] now'],
    ['a bare long number', 'number 3175550177 given', 'number [redacted] given'],
    [
      "V8's excerpt of a body",
      `Unexpected token 'Z', "{"name": Zelda Quix"... is not valid JSON`,
      `Unexpected token 'Z', [redacted]`,
    ],
    ['a quoted JSON pair', 'near {"addressFrom":"12 Elm St"}', 'near {[redacted]}'],
  ])('masks %s inside text', (_label, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    'The message is 1048577 bytes; queue genesys-webhook-dlq accepts at most 1048576.',
    'no answer within 3000 ms',
    'downstream answered 503',
    'at 2026-01-02T03:04:05.678Z for 58fb5dac-f077-4eec-a25f-c638dbdd4368',
    'arn:aws:sqs:us-east-1:123456789012:genesys-webhook-dlq',
  ])('leaves operator text as it is: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('leaves a listen address logged by an operator alone', () => {
    expect(redact({ address: 'http://0.0.0.0:8082' })).toEqual({ address: 'http://0.0.0.0:8082' });
  });

  it('masks given secrets wherever they appear', () => {
    expect(redact({ error: 'sent Bearer s3cr3t-token-value' }, ['s3cr3t-token-value'])).toEqual({
      error: `sent Bearer ${REDACTED}`,
    });
  });

  it('turns errors into their redacted text and masks buffers', () => {
    const fields = { error: new Error('bad ani tel:+13175550142'), raw: Buffer.from('x') };
    expect(redact(fields)).toEqual({ error: `Error: bad ani ${REDACTED}`, raw: REDACTED });
  });
});

describe('describeError', () => {
  it('redacts the message and the causes', () => {
    const cause = new SyntaxError('Unexpected token \'Z\', "Zelda Quix"... is not valid JSON');
    const text = describeError(new Error('could not read +13175550142', { cause }));
    expect(text).not.toMatch(/Zelda|5550142/);
    expect(text).toContain('SyntaxError');
  });
});

describe('createLogger redaction', () => {
  it('masks personal data and secrets in every field and in the message', () => {
    const stream = new PassThrough();
    const logger = createLogger({ service: 'test', level: 'info', stream, secrets: ['k3y-value'] });

    logger.info('got tel:+13175550142', {
      event_id: 'e1',
      body: '{"name":"Zelda"}',
      error: 'header was k3y-value',
    });

    const line = JSON.parse(String(stream.read()));
    expect(line).toMatchObject({
      message: `got ${REDACTED}`,
      event_id: 'e1',
      body: REDACTED,
      error: `header was ${REDACTED}`,
      level: 'info',
      service: 'test',
    });
  });
});
