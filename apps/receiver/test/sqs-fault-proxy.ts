import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface BatchEntry {
  Id: string;
  MessageBody: string;
}

/**
 * A real HTTP proxy in front of the local SQS server that counts `SendMessageBatch` calls
 * and makes SQS fail, on its side, every entry whose body contains `failMarker`: such
 * entries are held back from the server and reported as `InternalError` in `Failed`, as
 * SQS does when it could not store an entry. Everything else passes through unchanged.
 */
export class SqsFaultProxy {
  /** Entries per SendMessageBatch call, in call order. */
  readonly batchSizes: number[] = [];
  failMarker: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    readonly endpoint: string,
  ) {}

  static async start(target: string): Promise<SqsFaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proxy = new SqsFaultProxy(server, target, endpoint);
    server.on('request', (req, res) => {
      proxy.forward(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        () => res.writeHead(502).end(),
      );
    });
    return proxy;
  }

  private async forward(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');

    const isBatchSend = req.headers['x-amz-target'] === 'AmazonSQS.SendMessageBatch';
    let failed: BatchEntry[] = [];
    if (isBatchSend) {
      const request = JSON.parse(body) as { Entries: BatchEntry[] };
      this.batchSizes.push(request.Entries.length);
      const marker = this.failMarker;
      failed = marker ? request.Entries.filter((e) => e.MessageBody.includes(marker)) : [];
      const passed = request.Entries.filter((entry) => !failed.includes(entry));
      if (passed.length === 0) {
        return this.answer({ Successful: [], Failed: failed.map(internalError) });
      }
      body = JSON.stringify({ ...request, Entries: passed });
    }

    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !['host', 'content-length'].includes(name)),
    ) as Record<string, string>;
    const response = await fetch(`${this.target}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const text = await response.text();
    if (!isBatchSend || failed.length === 0 || !response.ok) {
      return { status: response.status, headers: contentType(response), body: text };
    }
    const result = JSON.parse(text) as { Successful: unknown[]; Failed?: unknown[] };
    return this.answer({
      Successful: result.Successful,
      Failed: [...(result.Failed ?? []), ...failed.map(internalError)],
    });
  }

  private answer(json: unknown) {
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify(json),
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function internalError(entry: BatchEntry) {
  return { Id: entry.Id, SenderFault: false, Code: 'InternalError', Message: 'injected' };
}

function contentType(response: Response): Record<string, string> {
  return { 'content-type': response.headers.get('content-type') ?? 'application/json' };
}
