import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attemptDelivery, toAttemptRecord } from '../src';

interface Seen {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

describe('attemptDelivery against a real HTTP server', () => {
  let server: Server;
  let url: string;
  let answer: (res: import('node:http').ServerResponse) => void;
  const seen: Seen[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });

  afterAll(async () => {
    timers.forEach(clearTimeout);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const request = (overrides = {}) => ({
    url,
    body: Buffer.from('{ "a" : 1 }'),
    contentType: 'application/json; charset=utf-8',
    eventId: 'evt-1',
    topic: 'v2.x.y',
    attempt: 3,
    timeoutMs: 2000,
    ...overrides,
  });

  it('adds configured headers, keeping its own identity headers over theirs', async () => {
    answer = (res) => res.writeHead(200).end();

    await attemptDelivery(
      request({
        headers: { Authorization: 'Bearer downstream-token', 'Idempotency-Key': 'forged' },
      }),
    );

    expect(seen[0].headers).toMatchObject({
      authorization: 'Bearer downstream-token',
      'idempotency-key': 'evt-1',
    });
  });

  it('sends the body byte-identical with the identity headers', async () => {
    answer = (res) => res.writeHead(204).end();

    const result = await attemptDelivery(request());

    expect(result).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    expect(seen[0].body.toString()).toBe('{ "a" : 1 }');
    expect(seen[0].headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'idempotency-key': 'evt-1',
      'x-genesys-topic': 'v2.x.y',
      'x-dlq-attempt': '3',
    });
  });

  it('classifies a 503 with Retry-After as retryable and keeps the delay', async () => {
    answer = (res) => res.writeHead(503, { 'retry-after': '30' }).end('down');

    const result = await attemptDelivery(request());

    expect(result).toMatchObject({
      outcome: 'retryable',
      statusCode: 503,
      retryAfterSeconds: 30,
      error: 'downstream answered 503',
    });
    expect(toAttemptRecord(result, 3, 'dlq-worker')).toMatchObject({
      attempt: 3,
      outcome: 'retryable',
      statusCode: 503,
      retryAfterSeconds: 30,
      by: 'dlq-worker',
    });
  });

  it('classifies a 422 as permanent and does not keep the answer text', async () => {
    answer = (res) => res.writeHead(422).end('secret personal data');

    const result = await attemptDelivery(request());

    expect(result.outcome).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('does not follow a redirect: the event must reach the configured URL', async () => {
    answer = (res) => res.writeHead(307, { location: 'http://127.0.0.1:1/' }).end();
    expect((await attemptDelivery(request())).outcome).toBe('permanent');
  });

  it('aborts a slow downstream after the timeout and calls it retryable', async () => {
    answer = (res) => timers.push(setTimeout(() => res.writeHead(200).end(), 2000));

    const result = await attemptDelivery(request({ timeoutMs: 100 }));

    expect(result.outcome).toBe('retryable');
    expect(result.error).toBe('no answer within 100 ms');
    expect(result.durationMs).toBeLessThan(1500);
  });

  it('calls a refused connection retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const result = await attemptDelivery(request({ url: `http://127.0.0.1:${port}/` }));

    expect(result).toMatchObject({
      outcome: 'retryable',
      error: 'connection failed: ECONNREFUSED',
    });
    expect(result.statusCode).toBeUndefined();
  });
});
