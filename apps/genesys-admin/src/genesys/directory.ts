import type platformClient from 'purecloud-platform-client-v2';
import type { GenesysClient } from './client';

export type Trigger = platformClient.Models.Trigger;
export type Integration = platformClient.Models.Integration;
export type IntegrationConfiguration = platformClient.Models.IntegrationConfiguration;
export type DataAction = platformClient.Models.Action;
export type Flow = platformClient.Models.Flow;

/** Integration type of Web Services Data Actions. */
export const DATA_ACTION_TYPE = 'custom-rest-actions';
/** Integration type of the Amazon EventBridge source. */
export const EVENTBRIDGE_TYPE = 'amazon-eventbridge-source';

const PAGE_SIZE = 100;
// A guard against a server whose paging never ends; far beyond any real org.
const MAX_PAGES = 500;

interface NumberedPage<T> {
  entities?: T[];
  pageCount?: number;
  nextUri?: string;
}

/** Reads what the admin tool looks at in a Genesys org, every page of it. */
export class GenesysDirectory {
  constructor(private readonly client: GenesysClient) {}

  /** All Process Automation triggers (cursor paging through `nextUri`). */
  async triggers(): Promise<Trigger[]> {
    const all: Trigger[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const listing = await this.client.call('list triggers', () =>
        this.client.processAutomation.getProcessautomationTriggers({
          pageSize: String(PAGE_SIZE),
          ...(after ? { after } : {}),
        }),
      );
      all.push(...(listing.entities ?? []));
      after = cursorOf(listing.nextUri);
      if (!after || (listing.entities ?? []).length === 0) break;
    }
    return all;
  }

  async integrations(): Promise<Integration[]> {
    return this.numbered('list integrations', (pageNumber) =>
      this.client.integrations.getIntegrations({ pageSize: PAGE_SIZE, pageNumber }),
    );
  }

  async integrationConfig(integrationId: string): Promise<IntegrationConfiguration> {
    return this.client.call('read integration configuration', () =>
      this.client.integrations.getIntegrationConfigCurrent(integrationId),
    );
  }

  /** Data actions with their request configuration (the URL they post to). */
  async actions(): Promise<DataAction[]> {
    return this.numbered('list data actions', (pageNumber) =>
      this.client.integrations.getIntegrationsActions({
        pageSize: PAGE_SIZE,
        pageNumber,
        includeConfig: true,
      }),
    );
  }

  /** Architect workflows (the flows a trigger can start). */
  async workflows(): Promise<Flow[]> {
    return this.numbered('list workflows', (pageNumber) =>
      this.client.architect.getFlows({ type: ['workflow'], pageSize: PAGE_SIZE, pageNumber }),
    );
  }

  private async numbered<T>(
    operation: string,
    fetch: (pageNumber: number) => Promise<NumberedPage<T>>,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber += 1) {
      const page = await this.client.call(operation, () => fetch(pageNumber));
      const entities = page.entities ?? [];
      all.push(...entities);
      const last = page.pageCount !== undefined ? pageNumber >= page.pageCount : !page.nextUri;
      if (last || entities.length === 0) break;
    }
    return all;
  }
}

/** The `after` cursor of a `nextUri` such as `/api/v2/…/triggers?after=abc&pageSize=100`. */
function cursorOf(nextUri: string | undefined): string | undefined {
  if (!nextUri) return undefined;
  return new URL(nextUri, 'http://genesys.invalid').searchParams.get('after') ?? undefined;
}

export function integrationTypeOf(integration: Integration): string {
  return integration.integrationType?.id ?? '';
}

/** ENABLED and reporting ACTIVE, or why not. */
export function integrationHealth(integration: Integration): { ok: boolean; reason: string } {
  const name = `'${integration.name ?? integration.id}'`;
  const reported = integration.reportedState?.code ?? 'no reported state';
  if (integration.intendedState !== 'ENABLED') {
    return { ok: false, reason: `integration ${name} is ${integration.intendedState}` };
  }
  if (reported !== 'ACTIVE') {
    const detail = integration.reportedState?.detail?.message;
    const why = detail ? `: ${detail}` : '';
    return { ok: false, reason: `integration ${name} is ENABLED but reports ${reported}${why}` };
  }
  return { ok: true, reason: `integration ${name} is ENABLED and ACTIVE` };
}
