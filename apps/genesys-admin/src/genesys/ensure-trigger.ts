import { isDeepStrictEqual } from 'node:util';
import type platformClient from 'purecloud-platform-client-v2';
import type { GenesysClient } from './client';
import type { Flow, Trigger } from './directory';
import type { EnsureOptions, PlanStep } from './ensure';
import type { OrgSnapshot } from './verify';

type TriggerOptions = NonNullable<EnsureOptions['trigger']>;

const DESCRIPTION = 'Starts the workflow that posts events to the webhook DLQ receiver.';

/**
 * The trigger named `options.name`: created, updated in place, or — when its topic differs,
 * which Genesys does not allow to change — replaced by a new one, the old one deleted after.
 */
export function planTrigger(
  client: GenesysClient,
  snapshot: OrgSnapshot,
  options: TriggerOptions,
): PlanStep[] {
  const subject = `trigger '${options.name}'`;
  const workflow = findWorkflow(snapshot.workflows, options.workflow);
  if (typeof workflow === 'string') {
    return [
      { kind: 'missing', subject: `workflow '${options.workflow}'`, detail: workflow },
      { kind: 'skip', subject, detail: 'waits for the workflow' },
    ];
  }

  const wanted: platformClient.Models.CreateTriggerRequest = {
    name: options.name,
    topicName: options.topic,
    enabled: true,
    target: {
      type: 'Workflow',
      id: workflow.id,
      workflowTargetSettings: { dataFormat: options.dataFormat },
    },
    matchCriteria: options.matchCriteria,
    description: DESCRIPTION,
  };
  const named = snapshot.triggers.filter((trigger) => trigger.name === options.name);
  const onTopic = named.find((trigger) => trigger.topicName === options.topic);
  const others = named.filter((trigger) => trigger !== onTopic);
  const deleteOthers = async () => {
    for (const old of others) {
      await client.call('delete trigger', () =>
        client.processAutomation.deleteProcessautomationTrigger(old.id ?? ''),
      );
    }
  };

  if (!onTopic) {
    const create = () =>
      client.call('create trigger', () =>
        client.processAutomation.postProcessautomationTriggers(wanted),
      );
    if (others.length === 0) {
      return [
        {
          kind: 'create',
          subject,
          detail: `on ${options.topic}, starting workflow '${workflow.name}'`,
          apply: async () => {
            await create();
          },
        },
      ];
    }
    return [
      {
        kind: 'replace',
        subject,
        detail:
          `topic ${others.map((t) => t.topicName).join(', ')} → ${options.topic}; a trigger's ` +
          'topic cannot change, so a new trigger is created and the old one deleted after',
        apply: async () => {
          // New first: a moment with two triggers duplicates events, which the receiver's
          // identity handles; a moment with none would lose them.
          await create();
          await deleteOthers();
        },
      },
    ];
  }

  const steps: PlanStep[] = [];
  const changes = triggerChanges(onTopic, wanted);
  if (changes.length === 0) {
    steps.push({
      kind: 'keep',
      subject,
      detail: `on ${options.topic}, enabled, starting workflow '${workflow.name}'`,
    });
  } else {
    const id = onTopic.id ?? '';
    steps.push({
      kind: 'update',
      subject,
      detail: changes.join('; '),
      apply: async () => {
        await client.call('update trigger', () =>
          client.processAutomation.putProcessautomationTrigger(id, {
            ...wanted,
            version: onTopic.version ?? 1,
            eventTTLSeconds: onTopic.eventTTLSeconds,
            delayBySeconds: onTopic.delayBySeconds,
          }),
        );
      },
    });
  }
  if (others.length > 0) {
    steps.push({
      kind: 'update',
      subject: `triggers also named '${options.name}'`,
      detail: `delete ${others.length} on other topics (left by an interrupted replace)`,
      apply: deleteOthers,
    });
  }
  return steps;
}

/** The workflow by id or exact name, or why it cannot be used. */
function findWorkflow(workflows: Flow[], wanted: string): Flow | string {
  const byId = workflows.find((flow) => flow.id === wanted);
  if (byId) return byId;
  const byName = workflows.filter((flow) => flow.name === wanted);
  if (byName.length > 1) {
    return `${byName.length} workflows have this name; pass the id of the one to start`;
  }
  if (byName.length === 0) {
    return (
      'no such workflow. ensure does not create Architect content: create and publish a ' +
      'workflow that calls the data action with the topic and the event, then run ensure again'
    );
  }
  return byName[0];
}

function triggerChanges(current: Trigger, wanted: platformClient.Models.CreateTriggerRequest) {
  const changes: string[] = [];
  if (!current.enabled) changes.push('enable it');
  if (current.target?.type !== 'Workflow' || current.target.id !== wanted.target.id) {
    changes.push(`target workflow ${current.target?.id ?? 'none'} → ${wanted.target.id}`);
  }
  const format = current.target?.workflowTargetSettings?.dataFormat;
  const wantedFormat = wanted.target.workflowTargetSettings?.dataFormat;
  if (format !== wantedFormat) changes.push(`data format ${format ?? 'none'} → ${wantedFormat}`);
  if (!isDeepStrictEqual(criteriaKey(current.matchCriteria), criteriaKey(wanted.matchCriteria))) {
    changes.push('match criteria');
  }
  return changes;
}

/** Criteria in a form that compares equal whatever their order and value types. */
function criteriaKey(criteria: platformClient.Models.MatchCriteria[] | undefined): string[] {
  return (criteria ?? [])
    .map((c) =>
      JSON.stringify([
        c.jsonPath,
        c.operator,
        c.value === undefined ? null : String(c.value),
        (c.values ?? []).map(String),
      ]),
    )
    .sort();
}
