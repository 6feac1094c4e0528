import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type platformClient from 'purecloud-platform-client-v2';
import { genesysError, numberedPage, STALE_VERSION } from './respond';
import type { FakeGenesysState, FakeTrigger } from './state';

const TRIGGERS = '/api/v2/processautomation/triggers';

/** Process Automation triggers (cursor paging, versioned updates, test mode) and flows. */
export function automationRoutes(state: FakeGenesysState, maxPageSize: number): Router {
  const router = Router();

  router.get('/processautomation/triggers', (req, res) => {
    const pageSize = Math.min(Number(req.query.pageSize ?? 25) || 25, maxPageSize);
    let triggers = [...state.triggers.values()];
    if (typeof req.query.topicName === 'string') {
      triggers = triggers.filter((t) => t.topicName === req.query.topicName);
    }
    if (req.query.enabled !== undefined) {
      triggers = triggers.filter((t) => String(t.enabled) === req.query.enabled);
    }
    // The cursor is opaque to clients; here it is the index of the next trigger.
    const start = req.query.after ? Number(Buffer.from(String(req.query.after), 'base64url')) : 0;
    const entities = triggers.slice(start, start + pageSize);
    const next = start + pageSize;
    const cursor = Buffer.from(String(next)).toString('base64url');
    res.json({
      entities,
      selfUri: `${TRIGGERS}?pageSize=${pageSize}`,
      ...(next < triggers.length
        ? { nextUri: `${TRIGGERS}?after=${cursor}&pageSize=${pageSize}` }
        : {}),
    });
  });

  router.get('/processautomation/triggers/:id', (req, res) => {
    const trigger = state.triggers.get(req.params.id);
    if (!trigger) return genesysError(res, 404, 'not.found', 'Trigger not found.');
    res.json(trigger);
  });

  router.post('/processautomation/triggers', (req, res) => {
    const body = (req.body ?? {}) as Partial<platformClient.Models.CreateTriggerRequest>;
    const problem = triggerProblem(body);
    if (problem) return genesysError(res, 400, 'bad.request', problem);
    const id = randomUUID();
    const trigger: FakeTrigger = {
      eventTTLSeconds: 3600,
      ...body,
      id,
      version: 1,
      selfUri: `${TRIGGERS}/${id}`,
    };
    state.triggers.set(id, trigger);
    res.json(trigger);
  });

  router.put('/processautomation/triggers/:id', (req, res) => {
    const current = state.triggers.get(req.params.id);
    if (!current) return genesysError(res, 404, 'not.found', 'Trigger not found.');
    const body = (req.body ?? {}) as Partial<platformClient.Models.UpdateTriggerRequest>;
    if (body.version !== current.version) {
      return genesysError(res, 409, 'conflict', STALE_VERSION);
    }
    if (body.topicName !== current.topicName) {
      return genesysError(res, 400, 'bad.request', 'The topicName of a trigger cannot be changed.');
    }
    const problem = triggerProblem(body);
    if (problem) return genesysError(res, 400, 'bad.request', problem);
    const updated: FakeTrigger = { ...current, ...body, version: (current.version ?? 1) + 1 };
    state.triggers.set(current.id ?? '', updated);
    res.json(updated);
  });

  router.delete('/processautomation/triggers/:id', (req, res) => {
    if (!state.triggers.delete(req.params.id)) {
      return genesysError(res, 404, 'not.found', 'Trigger not found.');
    }
    res.status(204).end();
  });

  router.post('/processautomation/triggers/:id/test', (req, res) => {
    const trigger = state.triggers.get(req.params.id);
    if (!trigger) return genesysError(res, 404, 'not.found', 'Trigger not found.');
    res.json(testTrigger(state, trigger, req.body));
  });

  router.get('/flows', (req, res) => {
    const types = [req.query.type, req.query['type[]']].flat().filter(Boolean).map(String);
    let flows = [...state.flows.values()];
    if (types.length > 0) {
      flows = flows.filter((flow) => types.some((type) => type.toUpperCase() === flow.type));
    }
    if (typeof req.query.name === 'string') flows = flows.filter((f) => f.name === req.query.name);
    res.json(numberedPage(req, flows, '/api/v2/flows', maxPageSize));
  });

  router.get('/flows/:id', (req, res) => {
    const flow = state.flows.get(req.params.id);
    if (!flow) return genesysError(res, 404, 'not.found', 'Flow not found.');
    res.json(flow);
  });

  return router;
}

function triggerProblem(
  body: Partial<platformClient.Models.CreateTriggerRequest>,
): string | undefined {
  if (!body.name) return 'name is required.';
  if (!body.topicName) return 'topicName is required.';
  if (typeof body.enabled !== 'boolean') return 'enabled is required.';
  if (!body.target?.id || !body.target.type) return 'target with type and id is required.';
  return undefined;
}

/** Test mode as Genesys runs it: validate the body, the target and the match criteria. */
function testTrigger(
  state: FakeGenesysState,
  trigger: FakeTrigger,
  body: unknown,
): platformClient.Models.TestModeResults {
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  const workflow = state.flows.get(trigger.target?.id ?? '');
  const targetOk = trigger.target?.type === 'Workflow' && workflow?.publishedVersion !== undefined;
  const details = (trigger.matchCriteria ?? []).map((criterion) => {
    const fields = isObject ? (body as Record<string, unknown>) : {};
    const actual = fields[criterion.jsonPath ?? ''];
    return { ...criterion, match: criterionMatches(criterion, actual) };
  });
  const pathsOk = details.every((detail) => detail.match);
  return {
    schemaValidation: {
      name: 'Validate test event body against topic schema',
      step: 1,
      matches: isObject,
    },
    targetValidation: {
      name: 'Verify that trigger target is configured correctly',
      step: 2,
      matches: targetOk,
    },
    jsonPathValidation: {
      name: 'Check jsonPath match criteria',
      step: 3,
      matches: pathsOk,
      details: details as platformClient.Models.TestMatchesOperation['details'],
    },
    triggerMatches: isObject && targetOk && pathsOk,
  };
}

function criterionMatches(
  criterion: platformClient.Models.MatchCriteria,
  actual: unknown,
): boolean {
  const values = (criterion.values ?? []).map(String);
  const value = criterion.value === undefined ? undefined : String(criterion.value);
  const text = actual === undefined ? undefined : String(actual);
  switch (criterion.operator) {
    case 'Equal':
      return text === value;
    case 'NotEqual':
      return text !== value;
    case 'In':
      return text !== undefined && values.includes(text);
    case 'NotIn':
      return text === undefined || !values.includes(text);
    default:
      return false;
  }
}
