import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type platformClient from 'purecloud-platform-client-v2';
import { genesysError, numberedPage, STALE_VERSION } from './respond';
import type { FakeAction, FakeConfig, FakeGenesysState, FakeIntegration } from './state';

/** Integrations, their configuration, credentials and data actions (with the action test). */
export function integrationRoutes(state: FakeGenesysState, maxPageSize: number): Router {
  const router = Router();

  router.get('/credentials/:id', (req, res) => {
    const credential = state.credentials.get(req.params.id);
    if (!credential) return genesysError(res, 404, 'not.found', 'Credential not found.');
    // Genesys does not hand secret fields back.
    res.json({ id: credential.id, name: credential.name, type: credential.type });
  });

  router.post('/credentials', (req, res) => {
    const body = req.body ?? {};
    if (!body.name || !body.type?.name) {
      return genesysError(res, 400, 'bad.request', 'name and type are required.');
    }
    const id = randomUUID();
    state.credentials.set(id, { id, ...body, credentialFields: body.credentialFields ?? {} });
    res.json({ id, name: body.name, type: body.type });
  });

  router.put('/credentials/:id', (req, res) => {
    const current = state.credentials.get(req.params.id);
    if (!current) return genesysError(res, 404, 'not.found', 'Credential not found.');
    state.credentials.set(current.id, { ...current, ...req.body, id: current.id });
    res.json({ id: current.id, name: req.body?.name ?? current.name, type: current.type });
  });

  router.get('/actions', (req, res) => {
    const withConfig = req.query.includeConfig === 'true';
    const actions = [...state.actions.values()].map((action) =>
      withConfig ? action : { ...action, config: undefined },
    );
    res.json(numberedPage(req, actions, '/api/v2/integrations/actions', maxPageSize));
  });

  router.get('/actions/:id', (req, res) => {
    const action = state.actions.get(req.params.id);
    if (!action) return genesysError(res, 404, 'not.found', 'Action not found.');
    res.json(action);
  });

  router.post('/actions', (req, res) => {
    const body = (req.body ?? {}) as Partial<platformClient.Models.PostActionInput>;
    const integration = state.integrations.get(body.integrationId ?? '');
    if (!body.name || !body.category || !body.config || !body.contract) {
      const message = 'name, category, config and contract are required.';
      return genesysError(res, 400, 'bad.request', message);
    }
    if (integration?.integrationType?.id !== 'custom-rest-actions') {
      const message = 'integrationId must name a data actions integration.';
      return genesysError(res, 400, 'bad.request', message);
    }
    const id = `custom_-_${randomUUID()}`;
    const action = { ...body, id, version: 1, selfUri: `/api/v2/integrations/actions/${id}` };
    state.actions.set(id, action as FakeAction);
    res.json(action);
  });

  router.patch('/actions/:id', (req, res) => {
    const current = state.actions.get(req.params.id);
    if (!current) return genesysError(res, 404, 'not.found', 'Action not found.');
    if (req.body?.version !== current.version) {
      return genesysError(res, 409, 'conflict', STALE_VERSION);
    }
    const updated = { ...current, ...req.body, version: (current.version ?? 1) + 1 };
    state.actions.set(req.params.id, updated);
    res.json(updated);
  });

  router.post('/actions/:id/test', async (req, res) => {
    const action = state.actions.get(req.params.id);
    if (!action) return genesysError(res, 404, 'not.found', 'Action not found.');
    res.json(await runAction(state, action, (req.body ?? {}) as Record<string, unknown>));
  });

  router.get('/', (req, res) => {
    let integrations = [...state.integrations.values()].map((i) => withReportedState(state, i));
    if (typeof req.query.integrationType === 'string') {
      const type = req.query.integrationType;
      integrations = integrations.filter((i) => i.integrationType?.id === type);
    }
    res.json(numberedPage(req, integrations, '/api/v2/integrations', maxPageSize));
  });

  router.post('/', (req, res) => {
    const body = req.body ?? {};
    if (!body.name || !body.integrationType?.id) {
      return genesysError(res, 400, 'bad.request', 'name and integrationType are required.');
    }
    const created = state.addIntegration(body.integrationType.id, body.name, {
      intendedState: 'DISABLED',
    });
    res.json(created);
  });

  router.get('/:id', (req, res) => {
    const integration = state.integrations.get(req.params.id);
    if (!integration) return genesysError(res, 404, 'not.found', 'Integration not found.');
    res.json(withReportedState(state, integration));
  });

  router.patch('/:id', (req, res) => {
    const integration = state.integrations.get(req.params.id);
    if (!integration) return genesysError(res, 404, 'not.found', 'Integration not found.');
    const intendedState = req.body?.intendedState;
    if (intendedState !== 'ENABLED' && intendedState !== 'DISABLED') {
      return genesysError(res, 400, 'bad.request', 'intendedState must be ENABLED or DISABLED.');
    }
    integration.intendedState = intendedState;
    integration.reportedState = { code: intendedState === 'ENABLED' ? 'ACTIVE' : 'INACTIVE' };
    res.json(withReportedState(state, integration));
  });

  router.get('/:id/config/current', (req, res) => {
    const config = state.configs.get(req.params.id);
    if (!config) return genesysError(res, 404, 'not.found', 'Integration not found.');
    res.json(config);
  });

  router.put('/:id/config/current', (req, res) => {
    const current = state.configs.get(req.params.id);
    if (!current) return genesysError(res, 404, 'not.found', 'Integration not found.');
    const body = (req.body ?? {}) as Partial<FakeConfig>;
    if (body.version !== current.version) {
      return genesysError(res, 409, 'conflict', STALE_VERSION);
    }
    const updated = { ...current, ...body, version: current.version + 1 } as FakeConfig;
    state.configs.set(req.params.id, updated);
    const integration = state.integrations.get(req.params.id);
    if (integration && body.name) integration.name = body.name;
    res.json(updated);
  });

  return router;
}

function withReportedState(state: FakeGenesysState, integration: FakeIntegration): FakeIntegration {
  const override = state.reportedOverride.get(integration.id ?? '');
  return override ? { ...integration, reportedState: { code: override } } : integration;
}

/**
 * What Genesys does when asked to test a data action: fill the templates with the input
 * (and the integration's credential), call the URL, and report each step.
 */
async function runAction(
  state: FakeGenesysState,
  action: FakeAction,
  input: Record<string, unknown>,
): Promise<platformClient.Models.TestExecutionResult> {
  const config = state.configs.get(action.integrationId ?? '');
  const credentialId = Object.values(config?.credentials ?? {})[0]?.id;
  const secrets = state.credentials.get(credentialId ?? '')?.credentialFields ?? {};
  const fill = (template: string) =>
    template
      .replace(/\$\{input\.rawRequest\}/g, JSON.stringify(input))
      .replace(/\$\{input\.([\w]+)\}/g, (_m, key: string) => String(input[key] ?? ''))
      .replace(/\$\{credentials\.([\w]+)\}/g, (_m, key: string) => secrets[key] ?? '');

  const request = action.config?.request ?? {};
  const url = fill(request.requestUrlTemplate ?? '');
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name, fill(value)]),
  );
  const resolved = { step: 1, name: 'Resolve request', success: true, result: { url } };
  try {
    const response = await fetch(url, {
      method: request.requestType ?? 'POST',
      headers,
      body: fill(request.requestTemplate ?? ''),
      signal: AbortSignal.timeout((action.config?.timeoutSeconds ?? 10) * 1000),
    });
    const text = await response.text();
    const executed = {
      step: 2,
      name: 'Execute',
      success: response.ok,
      result: { status: response.status },
    };
    if (!response.ok) {
      const error = {
        message:
          'REST call for action execute failed. Message: Request to backend service failed. ' +
          `Response from web service: ${text.slice(0, 200)}`,
        code: 'bad.request',
        status: 400,
      };
      return { operations: [resolved, { ...executed, error }], error, success: false };
    }
    let finalResult: object = {};
    try {
      finalResult = JSON.parse(text) as object;
    } catch {
      finalResult = { rawResult: text };
    }
    return { operations: [resolved, executed], finalResult, success: true };
  } catch (error) {
    const failure = {
      message: `Could not reach ${url}: ${String(error)}`,
      code: 'internal.server.error',
      status: 500,
    };
    return { operations: [resolved], error: failure, success: false };
  }
}
