// A catalogue of bad requests, each with the answer the receiver owes it. `null` for a header
// means "leave it out" (the sender otherwise adds the run's API key and a JSON Content-Type).
import { sampleEvent } from '../harness/events.mjs';
import { badRequest } from '../harness/sender.mjs';

/** Bodies over this are refused; the scenario sets it on the receiver. */
export const BODY_LIMIT_BYTES = 262_144;

const NO_KEY = { 'x-api-key': null };

/**
 * Kinds of bad request: how many of each, how to build one (n counts within the kind), and
 * what must come back. The counts add up to 1,000.
 */
const KINDS = [
  {
    name: 'malformed JSON',
    count: 100,
    build: (n) => ({ body: `{"id": "broken-${n}", "detail": {` }),
    expect: { status: 400, error: 'invalid_json' },
  },
  {
    name: 'empty body (Content-Length: 0)',
    count: 25,
    build: () => ({ headers: { 'content-length': '0' }, body: '' }),
    expect: { status: 400, error: 'invalid_json' },
  },
  {
    name: 'no body at all (no Content-Length)',
    count: 25,
    build: () => ({ body: '' }),
    expect: { status: 400, error: 'invalid_json' },
  },
  {
    name: 'JSON that is not an object',
    count: 75,
    build: (n) => ({ body: ['[1, 2, 3]', '"an event"', '42', 'null'][n % 4] }),
    expect: { status: 400, error: 'not_an_object' },
  },
  {
    name: 'wrong types in a known shape',
    count: 75,
    build: (n) => ({ body: JSON.stringify(wrongType(n)) }),
    expect: { status: 400, error: 'invalid_shape' },
  },
  {
    name: 'unknown shape with no topic anywhere',
    count: 75,
    build: (n) => ({ body: JSON.stringify({ kind: 'mystery', n, payload: { a: [n] } }) }),
    expect: { status: 400, error: 'missing_topic' },
  },
  {
    name: 'nested past 256 levels',
    count: 25,
    build: () => ({ body: `${'{"a":'.repeat(300)}1${'}'.repeat(300)}` }),
    expect: { status: 400, error: 'too_deep' },
  },
  {
    name: 'event id that cannot be a header',
    count: 25,
    build: (n) => ({ body: JSON.stringify({ ...sampleEvent(), id: `an id with spaces ${n}` }) }),
    expect: { status: 400, error: 'invalid_identity' },
  },
  {
    name: 'topic that is not a topic name',
    count: 50,
    build: (n) =>
      n % 2 === 0
        ? { path: '/webhooks/genesys/not%20a%20topic', body: JSON.stringify({ n }) }
        : { headers: { 'x-genesys-topic': 'bad topic/../x' }, body: JSON.stringify({ n }) },
    expect: { status: 400, error: 'invalid_topic' },
  },
  {
    name: 'body that is not UTF-8',
    count: 50,
    build: () => ({
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    }),
    expect: { status: 400, error: 'invalid_encoding' },
  },
  {
    name: 'not JSON Content-Type',
    count: 75,
    build: (n) => ({
      headers: { 'content-type': [null, 'text/plain', 'application/xml'][n % 3] },
      body: JSON.stringify(sampleEvent()),
    }),
    expect: { status: 415, error: 'unsupported_media_type' },
  },
  {
    name: 'JSON in another charset than UTF-8',
    count: 25,
    build: () => ({
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: JSON.stringify(sampleEvent()),
    }),
    expect: { status: 415, error: 'unsupported_media_type' },
  },
  {
    name: 'another method than POST',
    count: 25,
    build: (n) => ({ method: ['PUT', 'GET', 'DELETE', 'PATCH'][n % 4], body: '{}' }),
    expect: { status: 405, error: 'method_not_allowed' },
  },
  {
    name: 'body over the limit',
    count: 100,
    build: (n) => ({ body: JSON.stringify({ n, pad: 'x'.repeat(4 * BODY_LIMIT_BYTES) }) }),
    expect: { status: 413, error: 'body_too_large' },
  },
  {
    name: 'no credentials',
    count: 50,
    credentials: true,
    build: () => ({ headers: NO_KEY, body: JSON.stringify(sampleEvent()) }),
    expect: { status: 401, error: 'unauthorized' },
  },
  {
    name: 'wrong API key',
    count: 50,
    credentials: true,
    build: (n) => ({ headers: { 'x-api-key': `wrong-${n}` }, body: JSON.stringify(sampleEvent()) }),
    expect: { status: 401, error: 'unauthorized' },
  },
  {
    name: 'wrong bearer token',
    count: 50,
    credentials: true,
    build: (n) => ({
      headers: { ...NO_KEY, authorization: `Bearer wrong-${n}` },
      body: JSON.stringify(sampleEvent()),
    }),
    expect: { status: 401, error: 'unauthorized' },
  },
  {
    name: 'wrong Basic credentials',
    count: 50,
    credentials: true,
    build: (n) => ({
      headers: {
        ...NO_KEY,
        authorization: `Basic ${Buffer.from(`genesys:wrong-${n}`).toString('base64')}`,
      },
      body: JSON.stringify(sampleEvent()),
    }),
    expect: { status: 401, error: 'unauthorized' },
  },
  {
    name: 'over the limit and no credentials',
    count: 50,
    credentials: true,
    build: (n) => ({
      headers: NO_KEY,
      body: JSON.stringify({ n, pad: 'x'.repeat(4 * BODY_LIMIT_BYTES) }),
    }),
    expect: { status: 401, error: 'unauthorized' },
  },
];

/**
 * One EventBridge-shaped body per variant, each wrong in one type: the id, the detail, the
 * event body, the topic name.
 */
function wrongType(n) {
  const sample = sampleEvent();
  switch (n % 4) {
    case 0:
      return { ...sample, id: n };
    case 1:
      return { ...sample, detail: 'not an object' };
    case 2:
      return { ...sample, detail: { ...sample.detail, eventBody: ['a', 'list'] } };
    default:
      return { ...sample, detail: { ...sample.detail, topicName: n } };
  }
}

/**
 * The bad requests, `withCredentials` deciding whether the credential cases are included
 * (they need a receiver that checks credentials). Resolves the kinds by name for the report.
 */
export function badRequests({ withCredentials }) {
  const kinds = KINDS.filter((kind) => withCredentials || !kind.credentials);
  const requests = [];
  for (const kind of kinds) {
    for (let n = 0; n < kind.count; n += 1) {
      const { method, path, headers, body } = kind.build(n);
      const id = `bad-${requests.length}`;
      requests.push({
        ...badRequest(id, { method, path, headers, body, expect: kind.expect }),
        label: kind.name,
        knownDeviation: kind.knownDeviation,
      });
    }
  }
  return requests;
}

/** The same order on every run: a shuffle driven by a fixed seed. */
export function mixed(items, seed = 7) {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
