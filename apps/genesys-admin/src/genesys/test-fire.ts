import { PROBE_TOPIC } from '@webhook-dlq/payloads';
import { describeError } from '@webhook-dlq/runtime';
import type platformClient from 'purecloud-platform-client-v2';
import type { GenesysClient } from './client';
import { type DataAction, GenesysDirectory, type Trigger } from './directory';
import { printableUrl, selectTriggers, urlPostsTo } from './matching';

export interface TestFireOptions {
  actionName: string;
  /** When given, the action that posts to this URL is tested, whatever its name. */
  receiverUrl?: string;
  triggerPrefix: string;
  /** Test only the triggers on these topics; empty = all of ours. */
  topics: string[];
  /** The event body for the trigger tests; built from each trigger's criteria when absent. */
  sampleBody?: Record<string, unknown>;
}

export interface TestFireStep {
  id: string;
  label: string;
  ok: boolean;
  reason: string;
}

export interface TestFireReport {
  ok: boolean;
  steps: TestFireStep[];
}

/** Makes Genesys call the receiver through the data action, then tests our triggers. */
export async function testFire(
  client: GenesysClient,
  options: TestFireOptions,
): Promise<TestFireReport> {
  const steps: TestFireStep[] = [];
  try {
    await client.login();
    const directory = new GenesysDirectory(client);
    steps.push(await testAction(client, await directory.actions(), options));
    steps.push(...(await testTriggers(client, await directory.triggers(), options)));
  } catch (error) {
    steps.push({ id: 'genesys', label: 'Genesys', ok: false, reason: describeError(error) });
  }
  return { ok: steps.every((step) => step.ok), steps };
}

async function testAction(
  client: GenesysClient,
  actions: DataAction[],
  options: TestFireOptions,
): Promise<TestFireStep> {
  const receiverUrl = options.receiverUrl;
  const action = receiverUrl
    ? actions.find((a) => urlPostsTo(a.config?.request?.requestUrlTemplate, receiverUrl))
    : actions.find((a) => a.name === options.actionName);
  const label = 'data action test (Genesys → receiver)';
  if (!action?.id) {
    const wanted = options.receiverUrl
      ? `posting to ${printableUrl(options.receiverUrl)}`
      : `named '${options.actionName}'`;
    return { id: 'action-test', label, ok: false, reason: `no data action ${wanted}` };
  }

  const input = {
    topic: PROBE_TOPIC,
    eventJson: JSON.stringify({
      topicName: PROBE_TOPIC,
      eventBody: { probe: true, sentBy: 'genesys-admin', sentAt: new Date().toISOString() },
    }),
  };
  const id = action.id;
  const result = await client.call('test data action', () =>
    client.integrations.postIntegrationsActionTest(id, input),
  );
  const name = `'${action.name}'`;
  if (!result.success) {
    const failed = result.operations?.find((operation) => operation.success === false);
    const why = result.error?.message ?? failed?.error?.message ?? 'no reason given';
    return { id: 'action-test', label, ok: false, reason: `action ${name} failed: ${why}` };
  }
  const status = (result.finalResult as { status?: unknown } | undefined)?.status;
  if (status !== 'probe') {
    return {
      id: 'action-test',
      label,
      ok: false,
      reason:
        `Genesys reached the receiver through ${name}, but it did not answer as a probe ` +
        `(status ${JSON.stringify(status)}): a receiver that predates the probe topic may ` +
        'have forwarded the probe to the downstream',
    };
  }
  return {
    id: 'action-test',
    label,
    ok: true,
    reason: `Genesys called the receiver through ${name}; it answered as a probe (not forwarded)`,
  };
}

async function testTriggers(
  client: GenesysClient,
  all: Trigger[],
  options: TestFireOptions,
): Promise<TestFireStep[]> {
  const ours = selectTriggers(all, options.triggerPrefix).filter(
    (trigger) => options.topics.length === 0 || options.topics.includes(trigger.topicName ?? ''),
  );
  if (ours.length === 0) {
    const reason = `no trigger named '${options.triggerPrefix}…'${
      options.topics.length ? ` on ${options.topics.join(', ')}` : ''
    }`;
    return [{ id: 'trigger-test', label: 'trigger test', ok: false, reason }];
  }

  const steps: TestFireStep[] = [];
  for (const trigger of ours) {
    const body = options.sampleBody ?? sampleEventBody(trigger.matchCriteria ?? []);
    const id = trigger.id ?? '';
    const result = await client.call('test trigger', () =>
      client.processAutomation.postProcessautomationTriggerTest(id, { body: JSON.stringify(body) }),
    );
    steps.push({
      id: `trigger-test:${trigger.topicName}`,
      label: `trigger test '${trigger.name}' (${trigger.topicName})`,
      ok: result.triggerMatches === true,
      reason: triggerTestReason(result),
    });
  }
  return steps;
}

function triggerTestReason(result: platformClient.Models.TestModeResults): string {
  const stages = [result.schemaValidation, result.targetValidation, result.jsonPathValidation];
  const failed = stages.filter((stage) => stage && stage.matches === false);
  if (result.triggerMatches && failed.length === 0) {
    return 'the sample event matches and the target is valid (test mode: no workflow ran)';
  }
  if (failed.length === 0) return 'the trigger would not fire on the sample event';
  return `failed: ${failed.map((stage) => stage?.name ?? 'a validation').join('; ')}`;
}

/**
 * A conversation event body without personal data that satisfies the criteria: Equal and In
 * take the wanted value, NotEqual and NotIn a value nothing equals.
 */
export function sampleEventBody(
  criteria: platformClient.Models.MatchCriteria[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    eventTime: Date.now(),
    conversationId: '00000000-0000-4000-8000-000000000000',
    participantId: '00000000-0000-4000-8000-000000000001',
    sessionId: '00000000-0000-4000-8000-000000000002',
    mediaType: 'VOICE',
    direction: 'INBOUND',
    disconnectType: 'ENDPOINT',
    provider: PROBE_TOPIC,
    interactingDurationMs: 0,
  };
  for (const criterion of criteria) {
    const path = criterion.jsonPath ?? '';
    if (!path || path.includes('.') || path.includes('[')) continue;
    if (criterion.operator === 'Equal') body[path] = criterion.value;
    else if (criterion.operator === 'In') body[path] = criterion.values?.[0];
    else if (criterion.operator === 'NotEqual' || criterion.operator === 'NotIn') {
      body[path] = PROBE_TOPIC;
    }
  }
  return body;
}
