import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DownstreamCall {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface DownstreamAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 standing in for the business system, answering as told. */
export class TestDownstream {
  readonly calls: DownstreamCall[] = [];
  private answer: (call: DownstreamCall) => DownstreamAnswer = () => ({ status: 200 });
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestDownstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const downstream = new TestDownstream(server, `http://127.0.0.1:${port}/events`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const call = { headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        downstream.calls.push(call);
        const answer = downstream.answer(call);
        const send = () => res.writeHead(answer.status, answer.headers).end();
        if (!answer.delayMs) return send();
        const timer = setTimeout(() => {
          downstream.timers.delete(timer);
          send();
        }, answer.delayMs);
        downstream.timers.add(timer);
      });
    });
    return downstream;
  }

  /** Answers every call with this status from now on. */
  respondWith(answer: number | DownstreamAnswer | ((call: DownstreamCall) => DownstreamAnswer)) {
    if (typeof answer === 'function') this.answer = answer;
    else this.answer = () => (typeof answer === 'number' ? { status: answer } : answer);
  }

  /** Calls carrying this `Idempotency-Key`. */
  callsFor(eventId: string): DownstreamCall[] {
    return this.calls.filter((call) => call.headers['idempotency-key'] === eventId);
  }

  async close(): Promise<void> {
    this.timers.forEach(clearTimeout);
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
