import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { automationRoutes } from './routes-automation';
import { integrationRoutes } from './routes-integrations';
import { genesysError } from './respond';
import { FakeGenesysState, type FakeGenesysOptions } from './state';

/** A running fake Genesys Cloud API on 127.0.0.1. */
export class FakeGenesys {
  private constructor(
    private readonly server: Server,
    readonly state: FakeGenesysState,
    readonly url: string,
  ) {}

  static async start(options: FakeGenesysOptions): Promise<FakeGenesys> {
    const state = new FakeGenesysState(options);
    const app = createFakeGenesysApp(state);
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    return new FakeGenesys(server, state, `http://127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export function createFakeGenesysApp(state: FakeGenesysState): express.Express {
  const app = express();
  const maxPageSize = state.options.maxPageSize ?? 100;

  app.use((req, res, next) => {
    const call = { method: req.method, path: req.path, status: undefined as number | undefined };
    state.calls.push(call);
    res.on('finish', () => {
      call.status = res.statusCode;
    });
    const fault = state.takeFault(req.method, req.path);
    if (!fault) return next();
    if (fault.retryAfter !== undefined) res.set('retry-after', fault.retryAfter);
    const code = fault.status === 429 ? 'too.many.requests' : 'service.unavailable';
    const message =
      fault.status === 429
        ? 'Rate limit exceeded the maximum. [300] requests for [60] seconds'
        : 'The service is currently unavailable.';
    genesysError(res, fault.status, code, message);
  });

  app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    const [scheme, encoded] = (req.get('authorization') ?? '').split(' ');
    const [clientId, clientSecret] = Buffer.from(encoded ?? '', 'base64')
      .toString()
      .split(':');
    if (req.body?.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type', description: 'bad grant type' });
      return;
    }
    if (scheme !== 'Basic' || clientId !== state.options.clientId) {
      res.status(400).json({ error: 'invalid_client', description: 'client not found' });
      return;
    }
    if (clientSecret !== state.options.clientSecret) {
      res.status(401).json({ error: 'invalid_client', description: 'authentication failed' });
      return;
    }
    state.logins += 1;
    const token = `fake-token-${randomUUID()}`;
    state.tokens.set(token, { callsLeft: state.options.tokenCalls ?? Number.POSITIVE_INFINITY });
    res.json({
      access_token: token,
      token_type: 'bearer',
      expires_in: state.options.tokenExpiresInSeconds ?? 86_399,
    });
  });

  app.use('/api/v2', (req, res, next) => {
    const [scheme, token] = (req.get('authorization') ?? '').split(' ');
    const grant = scheme === 'Bearer' ? state.tokens.get(token) : undefined;
    if (!grant) {
      genesysError(res, 401, 'bad.credentials', 'Invalid login credentials.');
      return;
    }
    if (grant.callsLeft <= 0) {
      state.tokens.delete(token);
      genesysError(res, 401, 'bad.credentials', 'Invalid login credentials.');
      return;
    }
    grant.callsLeft -= 1;
    next();
  });
  app.use('/api/v2', express.json({ type: () => true }));

  app.use('/api/v2', automationRoutes(state, maxPageSize));
  app.use('/api/v2/integrations', integrationRoutes(state, maxPageSize));

  app.use((_req, res) => {
    genesysError(res, 404, 'not.found', 'The requested resource was not found.');
  });
  return app;
}
