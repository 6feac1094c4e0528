import { createHmac } from 'node:crypto';
import type { SqsQueue } from '@webhook-dlq/sqs';
import type { AuthSettings } from '../src/auth';
import { Authenticator, safeEqual } from '../src/auth';
import { TestDownstream } from '../../../tools/testing/downstream';
import { eventually, freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import { sampleBytes } from '../../../test-fixtures/genesys/samples';
import { TestReceiver } from './kit';

const body = sampleBytes('eventBridgeEnd');

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const sign = (secret: string, bytes: Buffer = body) =>
  `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

/** Two of each, as during a rotation: the old secret and its successor both work. */
const ROTATING: AuthSettings = {
  apiKeys: ['old-key-aaaaaaaaaaaaaaaa', 'new-key-bbbbbbbbbbbbbbbb'],
  apiKeyHeader: 'x-api-key',
  basicUsers: [
    { user: 'genesys', password: 'old-pass-1111' },
    { user: 'genesys', password: 'new-pass-2222' },
  ],
  hmacSecrets: ['old-hmac-secret', 'new-hmac-secret'],
  disabled: false,
};

describe('receiver authentication', () => {
  const client = testSqsClient();
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let receiver: TestReceiver;

  async function start(auth: AuthSettings) {
    receiver = await TestReceiver.start(downstream.url, { dlq, settings: { auth } });
  }

  const send = (headers: Record<string, string>, bytes: Buffer = body) =>
    receiver.post(bytes, { headers: { 'x-api-key': '', ...headers } });

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    downstream.respondWith(503);
    dlq = (await freshQueues(client)).dlq;
  });

  afterEach(async () => {
    await receiver?.close();
    await downstream.close();
  });

  it.each([
    ['an API key in its header', { 'x-api-key': 'old-key-aaaaaaaaaaaaaaaa' }],
    ['the rotated API key', { 'x-api-key': 'new-key-bbbbbbbbbbbbbbbb' }],
    ['an API key as a bearer token', { authorization: 'Bearer new-key-bbbbbbbbbbbbbbbb' }],
    ['Basic credentials', { authorization: basic('genesys', 'old-pass-1111') }],
    ['the rotated Basic password', { authorization: basic('genesys', 'new-pass-2222') }],
    ['an HMAC signature', { 'x-hub-signature-256': sign('old-hmac-secret') }],
    ['a signature under the rotated secret', { 'x-hub-signature-256': sign('new-hmac-secret') }],
    [
      'a wrong key next to a valid signature',
      { 'x-api-key': 'wrong', 'x-hub-signature-256': sign('new-hmac-secret') },
    ],
  ])('admits %s', async (_label, headers) => {
    await start(ROTATING);

    const response = await send(headers);

    expect(response.status).toBe(202);
    expect(await receiveAll(dlq)).toHaveLength(1);
  });

  it.each([
    ['no credentials at all', {}, 'missing'],
    ['a wrong API key', { 'x-api-key': 'old-key-aaaaaaaaaaaaaaaX' }, 'invalid'],
    ['an API key in another header', { 'x-other-key': 'old-key-aaaaaaaaaaaaaaaa' }, 'missing'],
    ['a wrong bearer token', { authorization: 'Bearer nope' }, 'invalid'],
    ['a wrong Basic password', { authorization: basic('genesys', 'old-pass-111') }, 'invalid'],
    ['a wrong Basic user', { authorization: basic('genesys2', 'old-pass-1111') }, 'invalid'],
    ['Basic without a colon', { authorization: `Basic ${btoa('genesys')}` }, 'invalid'],
    ['a signature under another secret', { 'x-hub-signature-256': sign('guess') }, 'invalid'],
    [
      'a signature without its prefix',
      { 'x-hub-signature-256': sign('old-hmac-secret').slice(7) },
      'invalid',
    ],
  ])('refuses %s: bare 401, counted, nothing forwarded or stored', async (_l, headers, why) => {
    await start(ROTATING);

    const response = await send(headers);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized' });
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(downstream.calls).toEqual([]);
    expect(await receiveAll(dlq)).toEqual([]);
    expect(await receiver.metricValue('receiver_auth_failures_total', { reason: why })).toBe(1);
    const [line] = await eventually(
      () => receiver.webhookLines(),
      (lines) => lines.length > 0,
    );
    expect(line).toMatchObject({ outcome: 'unauthorized', http_status: 401 });
    expect(JSON.stringify(receiver.lines)).not.toMatch(/old-key|old-pass|hmac-secret|guess/);
  });

  it('refuses a signature made over other bytes than the body sent', async () => {
    await start(ROTATING);
    const tampered = Buffer.from(body.toString('utf8').replace('customer.end', 'customer.xxx'));

    const response = await send({ 'x-hub-signature-256': sign('old-hmac-secret') }, tampered);

    expect(response.status).toBe(401);
    expect(await receiveAll(dlq)).toEqual([]);
  });

  it('stops working for a secret once rotation has removed it', async () => {
    await start({ ...ROTATING, apiKeys: ['new-key-bbbbbbbbbbbbbbbb'] });

    expect((await send({ 'x-api-key': 'old-key-aaaaaaaaaaaaaaaa' })).status).toBe(401);
    expect((await send({ 'x-api-key': 'new-key-bbbbbbbbbbbbbbbb' })).status).toBe(202);
  });

  it('reads the API key from the configured header only', async () => {
    await start({ ...ROTATING, apiKeyHeader: 'x-genesys-key' });

    expect((await send({ 'x-api-key': 'new-key-bbbbbbbbbbbbbbbb' })).status).toBe(401);
    expect((await send({ 'x-genesys-key': 'new-key-bbbbbbbbbbbbbbbb' })).status).toBe(202);
  });

  it('ignores a scheme that is not configured', async () => {
    await start({ ...ROTATING, basicUsers: [], hmacSecrets: [] });

    expect((await send({ authorization: basic('genesys', 'old-pass-1111') })).status).toBe(401);
    expect((await send({ 'x-hub-signature-256': sign('old-hmac-secret') })).status).toBe(401);
  });

  it('applies before the probe topic and before the content type is checked', async () => {
    await start(ROTATING);

    const probe = await receiver.post('{}', {
      path: '/webhooks/genesys/genesys-admin.probe',
      headers: { 'x-api-key': 'wrong' },
    });
    const form = await receiver.post('a=b', {
      headers: { 'x-api-key': 'wrong', 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(probe.status).toBe(401);
    expect(form.status).toBe(401);
  });

  it('leaves health probes open', async () => {
    await start(ROTATING);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
  });

  it('admits everyone when disabled', async () => {
    await start({ ...ROTATING, apiKeys: [], basicUsers: [], hmacSecrets: [], disabled: true });
    expect((await send({})).status).toBe(202);
  });
});

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
  });

  it('accepts a signature under any configured secret, in either hex case', () => {
    const auth = new Authenticator({ ...ROTATING, hmacSecrets: ['a', 'b'] });
    const signature = sign('b', Buffer.from('x'));
    const upper = `sha256=${signature.slice(7).toUpperCase()}`;
    expect(auth.checkSignature(Buffer.from('x'), signature)).toBe(true);
    expect(auth.checkSignature(Buffer.from('x'), upper)).toBe(true);
    expect(auth.checkSignature(Buffer.from('y'), signature)).toBe(false);
    expect(auth.checkSignature(Buffer.from('x'), undefined)).toBe(false);
  });
});
