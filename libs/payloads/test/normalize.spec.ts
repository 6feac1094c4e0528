import { canonicalJson, normalizeEvent, parseEventTime, PayloadError, type RawEvent } from '../src';
import {
  BARE_BODY_TOPIC,
  notificationBytes,
  sampleBytes,
  sampleJson,
} from '../../../test-fixtures/genesys/samples';

const JSON_TYPE = 'application/json';

function raw(body: Buffer | string, extra: Partial<RawEvent> = {}): RawEvent {
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    contentType: JSON_TYPE,
    ...extra,
  };
}

function payloadError(fn: () => unknown): PayloadError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PayloadError) return error;
    throw error;
  }
  throw new Error('expected a PayloadError');
}

describe('normalizeEvent', () => {
  it('reads an EventBridge envelope: id, concrete topic, correlation id, event time', () => {
    const body = sampleBytes('eventBridgeEnd');
    const event = normalizeEvent(raw(body));

    expect(event).toEqual({
      eventId: '58fb5dac-f077-4eec-a25f-c638dbdd4368',
      topic: 'v2.detail.events.conversation.2f7bf00a-0fc2-4d6a-9b56-92238191433e.customer.end',
      correlationId: '7272d362-23b2-4c14-9d40-dc7b7683153a',
      eventTime: new Date(1649237504949).toISOString(),
      shape: 'eventbridge',
      contentType: JSON_TYPE,
      body,
    });
    expect(event.body).toBe(body);
  });

  it('reads a notification: identity is topic and CorrelationId', () => {
    const event = normalizeEvent(raw(notificationBytes('eventBridgeEnd')));

    expect(event.shape).toBe('notification');
    expect(event.eventId).toBe(
      'v2.detail.events.conversation.2f7bf00a-0fc2-4d6a-9b56-92238191433e.customer.end:' +
        '7272d362-23b2-4c14-9d40-dc7b7683153a',
    );
  });

  it('reads a bare eventBody with its topic from the route and hashes it for identity', () => {
    const event = normalizeEvent(
      raw(sampleBytes('bareEventBody'), { routeTopic: BARE_BODY_TOPIC }),
    );

    expect(event.shape).toBe('event-body');
    expect(event.topic).toBe(BARE_BODY_TOPIC);
    expect(event.correlationId).toBeUndefined();
    expect(event.eventId).toMatch(/^[0-9a-f]{64}$/);
    expect(event.eventTime).toBe(new Date(10000).toISOString());
  });

  it('gives a bare duplicate the same id whatever its key order and spacing', () => {
    const parsed = sampleJson('bareEventBody');
    const reordered = Object.fromEntries(Object.entries(parsed).reverse());
    const first = normalizeEvent(
      raw(sampleBytes('bareEventBody'), { routeTopic: BARE_BODY_TOPIC }),
    );
    const again = normalizeEvent(raw(JSON.stringify(reordered), { headerTopic: BARE_BODY_TOPIC }));

    expect(again.eventId).toBe(first.eventId);
  });

  it('gives different events and different topics different ids', () => {
    const body = sampleJson('bareEventBody');
    const base = normalizeEvent(raw(JSON.stringify(body), { routeTopic: BARE_BODY_TOPIC })).eventId;
    const otherBody = normalizeEvent(
      raw(JSON.stringify({ ...body, sessionId: 'another' }), { routeTopic: BARE_BODY_TOPIC }),
    ).eventId;
    const otherTopic = normalizeEvent(
      raw(JSON.stringify(body), { routeTopic: 'v2.detail.events.conversation.x.customer.start' }),
    ).eventId;

    expect(new Set([base, otherBody, otherTopic]).size).toBe(3);
  });

  it('keeps EventBridge ids stable for a duplicate delivery', () => {
    const first = normalizeEvent(raw(sampleBytes('eventBridgeStart')));
    const again = normalizeEvent(raw(JSON.stringify(sampleJson('eventBridgeStart'))));
    expect(again.eventId).toBe(first.eventId);
  });
});

describe('topic precedence', () => {
  const bare = sampleBytes('bareEventBody');
  const sources = {
    routeTopic: 'route.topic',
    headerTopic: 'header.topic',
    defaultTopic: 'default.topic',
  };

  it('prefers the body over route, header and default', () => {
    expect(normalizeEvent(raw(sampleBytes('eventBridgeStart'), sources)).topic).toMatch(
      /customer\.start$/,
    );
  });

  it('then the route, then the header, then DEFAULT_TOPIC', () => {
    expect(normalizeEvent(raw(bare, sources)).topic).toBe('route.topic');
    expect(normalizeEvent(raw(bare, { ...sources, routeTopic: undefined })).topic).toBe(
      'header.topic',
    );
    expect(normalizeEvent(raw(bare, { defaultTopic: 'default.topic' })).topic).toBe(
      'default.topic',
    );
  });

  it('rejects a bare body with no topic anywhere, saying how to supply one', () => {
    const error = payloadError(() => normalizeEvent(raw(bare)));
    expect(error.code).toBe('missing_topic');
    expect(error.message).toContain('/webhooks/genesys/<topic>');
    expect(error.message).toContain('x-genesys-topic');
    expect(error.message).toContain('DEFAULT_TOPIC');
  });

  it('rejects a topic with characters no Genesys topic has', () => {
    const error = payloadError(() => normalizeEvent(raw(bare, { headerTopic: 'a topic/../x' })));
    expect(error.code).toBe('invalid_topic');
    expect(error.message).toContain('x-genesys-topic');
  });
});

describe('malformed input', () => {
  it.each([
    ['broken JSON', '{"topicName": ', 'invalid_json', /not valid JSON/],
    ['an array', '[1,2]', 'not_an_object', /must be a JSON object, got an array/],
    ['a string', '"hello"', 'not_an_object', /got string/],
    ['null', 'null', 'not_an_object', /got null/],
    ['empty', '', 'invalid_json', /not valid JSON/],
  ])('rejects %s', (_label, body, code, message) => {
    const error = payloadError(() => normalizeEvent(raw(body, { defaultTopic: 't' })));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('rejects bytes that are not UTF-8', () => {
    const error = payloadError(() =>
      normalizeEvent(raw(Buffer.from([0x7b, 0xff, 0x7d]), { defaultTopic: 't' })),
    );
    expect(error.code).toBe('invalid_encoding');
  });

  it('rejects an EventBridge envelope whose detail is not a notification, naming the field', () => {
    const envelope = { ...sampleJson('eventBridgeEnd'), detail: { topicName: 'x' } };
    const error = payloadError(() => normalizeEvent(raw(JSON.stringify(envelope))));
    expect(error.code).toBe('invalid_shape');
    expect(error.message).toContain('EventBridge envelope');
    expect(error.message).toContain('detail.eventBody');
  });

  it('rejects a notification whose eventBody is not an object', () => {
    const body = JSON.stringify({ topicName: 'a.b', eventBody: 'text' });
    const error = payloadError(() => normalizeEvent(raw(body)));
    expect(error.code).toBe('invalid_shape');
    expect(error.message).toContain('eventBody');
  });
});

describe('parseEventTime', () => {
  it('accepts epoch milliseconds and ISO text', () => {
    expect(parseEventTime(1649237504949)).toBe('2022-04-06T09:31:44.949Z');
    expect(parseEventTime('1649237504949')).toBe('2022-04-06T09:31:44.949Z');
    expect(parseEventTime('2022-04-06T09:30:45.013Z')).toBe('2022-04-06T09:30:45.013Z');
  });

  it('gives undefined for anything else', () => {
    expect(parseEventTime('yesterday')).toBeUndefined();
    expect(parseEventTime({})).toBeUndefined();
    expect(parseEventTime(undefined)).toBeUndefined();
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('bodies built to break the pipeline', () => {
  const eventBridge = (id: unknown) => JSON.stringify({ ...sampleJson('eventBridgeEnd'), id });

  it.each([
    ['a line break', 'a\r\nX-Evil: 1'],
    ['non-ASCII', 'é✓'],
    ['a space', 'a b'],
    ['over 256 characters', 'x'.repeat(257)],
  ])('rejects an EventBridge id with %s, since it becomes a header', (_label, id) => {
    const error = payloadError(() => normalizeEvent(raw(eventBridge(id))));
    expect(error.code).toBe('invalid_identity');
    expect(error.message).toContain('EventBridge id');
  });

  it('rejects a CorrelationId that cannot be a header', () => {
    const body = JSON.stringify({
      topicName: 'a.b',
      eventBody: {},
      metadata: { CorrelationId: 'a\nb' },
    });
    expect(payloadError(() => normalizeEvent(raw(body))).code).toBe('invalid_identity');
  });

  it('rejects a body nested thousands of levels deep with a 4xx code, not a crash', () => {
    const deep = `{"topicName":"a.b","eventBody":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const error = payloadError(() => normalizeEvent(raw(deep)));
    expect(error.code).toBe('too_deep');
  });

  it('accepts a body nested as deep as Genesys bodies plausibly get', () => {
    const nested = `{"a":${'['.repeat(50)}${']'.repeat(50)}}`;
    expect(normalizeEvent(raw(nested, { defaultTopic: 't' })).shape).toBe('event-body');
  });
});
