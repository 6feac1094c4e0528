import { isDeepStrictEqual } from 'node:util';
import type platformClient from 'purecloud-platform-client-v2';
import type { GenesysClient } from './client';
import {
  type DataAction,
  DATA_ACTION_TYPE,
  type GenesysDirectory,
  type Integration,
  integrationTypeOf,
} from './directory';
import type { ApplyContext, EnsureOptions, PlanStep } from './ensure';
import { printableUrl } from './matching';
import type { OrgSnapshot } from './verify';

/** Where the integration's configuration keeps the credential its actions use. */
const CREDENTIAL_KEY = 'basicAuth';

/**
 * The request the data action makes. The workflow hands it the trigger's topic and the event
 * as JSON text; the topic travels as the header the receiver reads for bare event bodies.
 */
export function desiredRequest(receiverUrl: string, withToken: boolean) {
  return {
    requestUrlTemplate: receiverUrl,
    requestType: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Genesys-Topic': '${input.topic}',
      ...(withToken ? { Authorization: 'Bearer ${credentials.token}' } : {}),
    },
    requestTemplate: '${input.eventJson}',
  };
}

const CONTRACT = {
  input: {
    inputSchema: {
      type: 'object',
      required: ['topic', 'eventJson'],
      properties: {
        topic: { type: 'string', description: 'the topic of the trigger that fired' },
        eventJson: { type: 'string', description: 'the event body as JSON text' },
      },
    },
  },
  output: {
    successSchema: { type: 'object', properties: { status: { type: 'string' } } },
  },
};

/** Integration (created and enabled), credential, and the action posting to the receiver. */
export async function planDataAction(
  client: GenesysClient,
  directory: GenesysDirectory,
  snapshot: OrgSnapshot,
  options: EnsureOptions,
): Promise<PlanStep[]> {
  const receiverUrl = options.receiverUrl ?? '';
  const integration = snapshot.integrations.find(
    (i) => integrationTypeOf(i) === DATA_ACTION_TYPE && i.name === options.integrationName,
  );
  const subject = `data action integration '${options.integrationName}'`;
  const steps: PlanStep[] = [integrationStep(client, integration, subject, options)];

  const config = integration?.id ? await directory.integrationConfig(integration.id) : undefined;
  steps.push(credentialStep(client, directory, config, options));

  const existing = snapshot.actions.find(
    (action) => action.integrationId === integration?.id && action.name === options.actionName,
  );
  steps.push(actionStep(client, existing, receiverUrl, options));
  return steps;
}

function integrationStep(
  client: GenesysClient,
  integration: Integration | undefined,
  subject: string,
  options: EnsureOptions,
): PlanStep {
  const enable = (id: string) =>
    client.call('enable integration', () =>
      client.integrations.patchIntegration(id, {
        body: { intendedState: 'ENABLED' } as platformClient.Models.Integration,
      }),
    );

  if (!integration?.id) {
    return {
      kind: 'create',
      subject,
      detail: `type ${DATA_ACTION_TYPE}, then enable it`,
      apply: async (context) => {
        const created = await client.call('create integration', () =>
          client.integrations.postIntegrations({
            body: { name: options.integrationName, integrationType: { id: DATA_ACTION_TYPE } },
          }),
        );
        context.dataActionIntegrationId = created.id;
        await enable(created.id ?? '');
      },
    };
  }

  const id = integration.id;
  const known = (context: ApplyContext) => {
    context.dataActionIntegrationId = id;
  };
  if (integration.intendedState !== 'ENABLED') {
    return {
      kind: 'update',
      subject,
      detail: `enable it (now ${integration.intendedState})`,
      apply: async (context) => {
        known(context);
        await enable(id);
      },
    };
  }
  return { kind: 'keep', subject, detail: 'exists and is ENABLED', apply: async (c) => known(c) };
}

function credentialStep(
  client: GenesysClient,
  directory: GenesysDirectory,
  config: platformClient.Models.IntegrationConfiguration | undefined,
  options: EnsureOptions,
): PlanStep {
  const subject = 'receiver credential';
  const token = options.receiverToken;
  if (!token) {
    return {
      kind: 'skip',
      subject,
      detail:
        'RECEIVER_AUTH_TOKEN is not set: the action sends no credential ' +
        '(a receiver that checks callers will refuse it)',
    };
  }

  const stored = config?.credentials?.[CREDENTIAL_KEY];
  const fields = { token };
  const name = `${options.integrationName} receiver token`;
  if (stored?.id && !options.rotateCredential) {
    return {
      kind: 'keep',
      subject,
      detail:
        `'${stored.name ?? stored.id}' exists (its value cannot be read back; ` +
        '--rotate-credential replaces it)',
    };
  }
  if (stored?.id) {
    const id = stored.id;
    return {
      kind: 'update',
      subject,
      detail: `replace the token in '${stored.name ?? id}'`,
      apply: async () => {
        await client.call('update credential', () =>
          client.integrations.putIntegrationsCredential(id, {
            body: { name, type: { name: 'userDefined' }, credentialFields: fields },
          }),
        );
      },
    };
  }
  return {
    kind: 'create',
    subject,
    detail: `'${name}' (userDefined), attached to the integration`,
    apply: async (context) => {
      const integrationId = context.dataActionIntegrationId ?? '';
      const created = await client.call('create credential', () =>
        client.integrations.postIntegrationsCredentials({
          body: { name, type: { name: 'userDefined' }, credentialFields: fields },
        }),
      );
      const current = await directory.integrationConfig(integrationId);
      await client.call('attach credential', () =>
        client.integrations.putIntegrationConfigCurrent(integrationId, {
          body: {
            ...current,
            credentials: {
              ...current.credentials,
              [CREDENTIAL_KEY]: { id: created.id, name, type: { name: 'userDefined' } },
            },
          },
        }),
      );
    },
  };
}

function actionStep(
  client: GenesysClient,
  existing: DataAction | undefined,
  receiverUrl: string,
  options: EnsureOptions,
): PlanStep {
  const subject = `data action '${options.actionName}'`;
  const wanted = desiredRequest(receiverUrl, Boolean(options.receiverToken));
  const config = {
    timeoutSeconds: 10,
    request: wanted,
    response: { translationMap: {}, translationMapDefaults: {}, successTemplate: '${rawResult}' },
  };

  if (!existing?.id) {
    return {
      kind: 'create',
      subject,
      detail: `POST ${printableUrl(receiverUrl)}`,
      apply: async (context) => {
        await client.call('create data action', () =>
          client.integrations.postIntegrationsActions({
            category: options.integrationName,
            name: options.actionName,
            integrationId: context.dataActionIntegrationId ?? '',
            config,
            contract: CONTRACT,
            secure: false,
          }),
        );
      },
    };
  }

  const current = existing.config?.request ?? {};
  const changes = (Object.keys(wanted) as Array<keyof typeof wanted>).filter(
    (key) => !isDeepStrictEqual(current[key], wanted[key]),
  );
  if (changes.length === 0) {
    return { kind: 'keep', subject, detail: `posts to ${printableUrl(receiverUrl)}` };
  }
  const id = existing.id;
  const from = printableUrl(current.requestUrlTemplate ?? '');
  return {
    kind: 'update',
    subject,
    detail: changes.includes('requestUrlTemplate')
      ? `URL ${from} → ${printableUrl(receiverUrl)}`
      : `request ${changes.join(', ')}`,
    apply: async () => {
      await client.call('update data action', () =>
        client.integrations.patchIntegrationsAction(id, {
          version: existing.version ?? 1,
          config: { ...existing.config, ...config },
        }),
      );
    },
  };
}
