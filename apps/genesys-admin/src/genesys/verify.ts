import { describeError } from '@webhook-dlq/runtime';
import type { GenesysClient } from './client';
import {
  type DataAction,
  DATA_ACTION_TYPE,
  EVENTBRIDGE_TYPE,
  type Flow,
  GenesysDirectory,
  type Integration,
  integrationHealth,
  integrationTypeOf,
  type Trigger,
} from './directory';
import { printableUrl, selectTriggers, urlPostsTo } from './matching';

export interface VerifyOptions {
  /** The receiver's URL; a data action must post to it or below it. */
  receiverUrl: string;
  /** Topics every configured path must cover; empty = those the triggers and filter name. */
  topics: string[];
  /** Triggers whose name starts with this are ours ('' = every trigger). */
  triggerPrefix: string;
}

export interface Check {
  /** Stable id, e.g. `credentials`, `trigger:<topic>`; a metric label in `serve`. */
  id: string;
  label: string;
  ok: boolean;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  checkedAt: string;
  checks: Check[];
}

/** What verify reads from the org; {@link evaluate} decides from it alone. */
export interface OrgSnapshot {
  triggers: Trigger[];
  integrations: Integration[];
  actions: DataAction[];
  workflows: Flow[];
  /** The event filter of each EventBridge integration, by integration id. */
  eventFilters: Record<string, string[]>;
}

/** Logs in, reads the org and checks both delivery paths. Never throws. */
export async function verifyGenesys(
  client: GenesysClient,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const checkedAt = new Date().toISOString();
  try {
    await client.login();
  } catch (error) {
    return report(checkedAt, [check('credentials', 'credentials', false, describeError(error))]);
  }
  const credentials = check('credentials', 'credentials', true, 'client credentials accepted');

  let snapshot: OrgSnapshot;
  try {
    snapshot = await readSnapshot(new GenesysDirectory(client));
  } catch (error) {
    const failed = check('read-configuration', 'read configuration', false, describeError(error));
    return report(checkedAt, [credentials, failed]);
  }
  return report(checkedAt, [credentials, ...evaluate(snapshot, options)]);
}

export async function readSnapshot(directory: GenesysDirectory): Promise<OrgSnapshot> {
  const triggers = await directory.triggers();
  const integrations = await directory.integrations();
  const actions = await directory.actions();
  const workflows = await directory.workflows();

  const eventFilters: Record<string, string[]> = {};
  for (const integration of integrations) {
    if (integrationTypeOf(integration) !== EVENTBRIDGE_TYPE || !integration.id) continue;
    const config = await directory.integrationConfig(integration.id);
    eventFilters[integration.id] = eventFilterOf(config.properties);
  }
  return { triggers, integrations, actions, workflows, eventFilters };
}

/** The checks for one snapshot: the data-action path, the EventBridge path, or a ✘ for none. */
export function evaluate(snapshot: OrgSnapshot, options: VerifyOptions): Check[] {
  const ours = selectTriggers(snapshot.triggers, options.triggerPrefix);
  const dataActionIntegrations = snapshot.integrations.filter(
    (integration) => integrationTypeOf(integration) === DATA_ACTION_TYPE,
  );
  const eventBridge = snapshot.integrations.filter(
    (integration) => integrationTypeOf(integration) === EVENTBRIDGE_TYPE,
  );

  const checks: Check[] = [];
  if (dataActionIntegrations.length > 0 || ours.length > 0) {
    checks.push(...dataActionChecks(snapshot, dataActionIntegrations, options));
    checks.push(...triggerChecks(snapshot, ours, options));
  }
  if (eventBridge.length > 0) checks.push(...eventBridgeChecks(snapshot, eventBridge, options));

  if (checks.length === 0) {
    checks.push(
      check(
        'delivery-path',
        'delivery path',
        false,
        `neither path is configured: no ${DATA_ACTION_TYPE} integration or trigger named ` +
          `'${options.triggerPrefix}…', and no ${EVENTBRIDGE_TYPE} integration`,
      ),
    );
  }
  return checks;
}

function dataActionChecks(
  snapshot: OrgSnapshot,
  integrations: Integration[],
  options: VerifyOptions,
): Check[] {
  const inDataActions = snapshot.actions.filter((action) =>
    integrations.some((integration) => integration.id === action.integrationId),
  );
  const pointing = inDataActions.filter((action) =>
    urlPostsTo(action.config?.request?.requestUrlTemplate, options.receiverUrl),
  );

  // Judge the integration that holds the matching action; without one, those holding any
  // action; without actions, all of them.
  const holding = (actions: DataAction[]) =>
    integrations.filter((integration) => actions.some((a) => a.integrationId === integration.id));
  const candidates =
    [holding(pointing), holding(inDataActions), integrations].find((list) => list.length > 0) ?? [];
  const healths = candidates.map(integrationHealth);
  const healthy = healths.find((health) => health.ok);
  const integrationCheck = check(
    'data-action-integration',
    'data action integration',
    healthy !== undefined,
    candidates.length === 0
      ? `no ${DATA_ACTION_TYPE} integration exists`
      : (healthy ?? healths[0]).reason,
  );

  let urlReason: string;
  if (pointing.length > 0) {
    urlReason = `action '${pointing[0].name}' posts to ${printableUrl(
      pointing[0].config?.request?.requestUrlTemplate ?? '',
    )}`;
  } else if (inDataActions.length === 0) {
    urlReason = 'no data action exists';
  } else {
    const found = inDataActions
      .slice(0, 3)
      .map((a) => `'${a.name}' → ${printableUrl(a.config?.request?.requestUrlTemplate ?? '')}`);
    urlReason = `no data action posts to ${printableUrl(options.receiverUrl)}; found ${found.join(
      ', ',
    )}`;
  }
  return [
    integrationCheck,
    check('data-action-url', 'data action URL', pointing.length > 0, urlReason),
  ];
}

function triggerChecks(snapshot: OrgSnapshot, ours: Trigger[], options: VerifyOptions): Check[] {
  const topics = options.topics.length
    ? options.topics
    : [...new Set(ours.map((trigger) => trigger.topicName ?? ''))].filter(Boolean);
  if (topics.length === 0) {
    return [
      check('triggers', 'triggers', false, `no trigger named '${options.triggerPrefix}…' exists`),
    ];
  }

  const workflows = new Map(snapshot.workflows.map((flow) => [flow.id, flow]));
  return topics.map((topic) => {
    const onTopic = ours.filter((trigger) => trigger.topicName === topic);
    if (onTopic.length === 0) {
      return check(`trigger:${topic}`, `trigger ${topic}`, false, 'no trigger on this topic');
    }
    const verdicts = onTopic.map((trigger) => triggerVerdict(trigger, workflows));
    const live = verdicts.find((verdict) => verdict.ok);
    return check(
      `trigger:${topic}`,
      `trigger ${topic}`,
      live !== undefined,
      (live ?? verdicts[0]).reason,
    );
  });
}

function triggerVerdict(
  trigger: Trigger,
  workflows: Map<string | undefined, Flow>,
): { ok: boolean; reason: string } {
  const name = `'${trigger.name}'`;
  if (!trigger.enabled) return { ok: false, reason: `trigger ${name} is disabled` };
  const target = trigger.target;
  if (target?.type !== 'Workflow') {
    return { ok: false, reason: `trigger ${name} targets a ${target?.type ?? 'missing'} target` };
  }
  const workflow = workflows.get(target.id);
  if (!workflow) {
    const reason = `trigger ${name} targets workflow ${target.id}, which does not exist`;
    return { ok: false, reason };
  }
  if (!workflow.publishedVersion) {
    const reason = `trigger ${name} targets workflow '${workflow.name}', never published`;
    return { ok: false, reason };
  }
  return { ok: true, reason: `trigger ${name} is enabled and starts workflow '${workflow.name}'` };
}

function eventBridgeChecks(
  snapshot: OrgSnapshot,
  integrations: Integration[],
  options: VerifyOptions,
): Check[] {
  const healths = integrations.map(integrationHealth);
  const healthyIndex = healths.findIndex((health) => health.ok);
  const chosen = integrations[Math.max(healthyIndex, 0)];
  const filter = snapshot.eventFilters[chosen.id ?? ''] ?? [];

  let topicCheck: Check;
  if (options.topics.length > 0) {
    const missing = options.topics.filter((topic) => !filter.includes(topic));
    topicCheck = check(
      'eventbridge-topics',
      'EventBridge topics',
      missing.length === 0,
      missing.length === 0
        ? `the event filter holds all ${options.topics.length} topics`
        : `the event filter lacks ${missing.join(', ')}`,
    );
  } else {
    topicCheck = check(
      'eventbridge-topics',
      'EventBridge topics',
      filter.length > 0,
      filter.length > 0
        ? `the event filter holds ${filter.join(', ')}`
        : 'the event filter is empty',
    );
  }
  return [
    check(
      'eventbridge-integration',
      'EventBridge integration',
      healthyIndex >= 0,
      healths[Math.max(healthyIndex, 0)].reason,
    ),
    topicCheck,
  ];
}

/** `eventFilter` of an EventBridge integration's properties: a list, or text with commas. */
export function eventFilterOf(properties: unknown): string[] {
  const value = (properties as { eventFilter?: unknown } | undefined)?.eventFilter;
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  return [];
}

function check(id: string, label: string, ok: boolean, reason: string): Check {
  return { id, label, ok, reason };
}

function report(checkedAt: string, checks: Check[]): VerifyReport {
  return { ok: checks.every((c) => c.ok), checkedAt, checks };
}
