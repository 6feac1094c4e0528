import type { GenesysClient } from './client';
import { EVENTBRIDGE_TYPE, type GenesysDirectory, integrationTypeOf } from './directory';
import type { EnsureOptions, PlanStep } from './ensure';
import { eventFilterOf, type OrgSnapshot } from './verify';

type EventBridgeOptions = NonNullable<EnsureOptions['eventBridge']>;

/**
 * The EventBridge integration's event filter holds the topics (others already there stay),
 * and the integration is enabled. It is created only when the AWS account details are given.
 */
export async function planEventBridge(
  client: GenesysClient,
  directory: GenesysDirectory,
  snapshot: OrgSnapshot,
  options: EventBridgeOptions,
): Promise<PlanStep[]> {
  const all = snapshot.integrations.filter((i) => integrationTypeOf(i) === EVENTBRIDGE_TYPE);
  const integration = all.find((i) => i.name === options.name) ?? all[0];
  const subject = `EventBridge integration '${integration?.name ?? options.name}'`;
  const enable = (id: string) =>
    client.call('enable integration', () =>
      client.integrations.patchIntegration(id, { body: { intendedState: 'ENABLED' } }),
    );

  if (!integration?.id) {
    const { accountId, accountRegion, sourceSuffix } = options;
    if (!accountId || !accountRegion || !sourceSuffix) {
      return [
        {
          kind: 'missing',
          subject,
          detail:
            `no ${EVENTBRIDGE_TYPE} integration; give --eventbridge-account, ` +
            '--eventbridge-region and --eventbridge-suffix to create one',
        },
      ];
    }
    return [
      {
        kind: 'create',
        subject,
        detail: `account ${accountId} ${accountRegion}, topics ${options.topics.join(', ')}`,
        apply: async () => {
          const created = await client.call('create integration', () =>
            client.integrations.postIntegrations({
              body: { name: options.name, integrationType: { id: EVENTBRIDGE_TYPE } },
            }),
          );
          const id = created.id ?? '';
          const current = await directory.integrationConfig(id);
          await client.call('configure integration', () =>
            client.integrations.putIntegrationConfigCurrent(id, {
              body: {
                ...current,
                properties: {
                  awsAccountId: accountId,
                  awsAccountRegion: accountRegion,
                  eventSourceSuffix: sourceSuffix,
                  eventFilter: options.topics,
                },
              },
            }),
          );
          await enable(id);
        },
      },
    ];
  }

  const id = integration.id;
  const steps: PlanStep[] = [];
  const filter = snapshot.eventFilters[id] ?? [];
  const missing = options.topics.filter((topic) => !filter.includes(topic));
  if (missing.length > 0) {
    steps.push({
      kind: 'update',
      subject,
      detail: `add ${missing.join(', ')} to the event filter`,
      apply: async () => {
        // Read again right before writing: the version must be the current one.
        const current = await directory.integrationConfig(id);
        const properties = (current.properties ?? {}) as Record<string, unknown>;
        const now = eventFilterOf(properties);
        await client.call('update event filter', () =>
          client.integrations.putIntegrationConfigCurrent(id, {
            body: {
              ...current,
              properties: { ...properties, eventFilter: [...new Set([...now, ...options.topics])] },
            },
          }),
        );
      },
    });
  } else {
    steps.push({
      kind: 'keep',
      subject,
      detail: `the event filter holds ${options.topics.join(', ')}`,
    });
  }

  if (integration.intendedState !== 'ENABLED') {
    steps.push({
      kind: 'update',
      subject,
      detail: `enable it (now ${integration.intendedState})`,
      apply: async () => {
        await enable(id);
      },
    });
  }
  return steps;
}
