import { randomUUID } from 'node:crypto';
import type platformClient from 'purecloud-platform-client-v2';

export type FakeTrigger = platformClient.Models.Trigger;
export type FakeIntegration = platformClient.Models.Integration;
export type FakeConfig = platformClient.Models.IntegrationConfiguration;
export type FakeAction = platformClient.Models.Action;
export type FakeFlow = platformClient.Models.Flow;
export interface FakeCredential {
  id: string;
  name: string;
  type: { name: string };
  credentialFields: Record<string, string>;
}

/** One request the fake answered, for assertions on what the tool did. */
export interface FakeCall {
  method: string;
  path: string;
  status?: number;
}

/** A canned failure for the next matching requests: a 429 with Retry-After, a 503, … */
interface Fault {
  method: string;
  pathPrefix: string;
  status: number;
  retryAfter?: string;
  remaining: number;
}

export interface FakeGenesysOptions {
  clientId: string;
  clientSecret: string;
  /** API calls one token is good for; the call after that gets 401. Default: no limit. */
  tokenCalls?: number;
  /** `expires_in` of issued tokens. Default 86399, as Genesys answers. */
  tokenExpiresInSeconds?: number;
  /** The largest page served, whatever the client asks; small values force paging. */
  maxPageSize?: number;
}

/** The org behind the fake Genesys API: plain maps the routes read and write. */
export class FakeGenesysState {
  readonly triggers = new Map<string, FakeTrigger>();
  readonly integrations = new Map<string, FakeIntegration>();
  readonly configs = new Map<string, FakeConfig>();
  readonly credentials = new Map<string, FakeCredential>();
  readonly actions = new Map<string, FakeAction>();
  readonly flows = new Map<string, FakeFlow>();
  readonly calls: FakeCall[] = [];
  /** Tokens issued, with the API calls each has left. */
  readonly tokens = new Map<string, { callsLeft: number }>();
  /** Integrations that report this state whatever is intended (e.g. stuck in ERROR). */
  readonly reportedOverride = new Map<string, string>();
  logins = 0;
  private readonly faults: Fault[] = [];

  constructor(readonly options: FakeGenesysOptions) {}

  addWorkflow(name: string, options: { published?: boolean } = {}): FakeFlow {
    const id = randomUUID();
    const flow: FakeFlow = {
      id,
      name,
      type: 'WORKFLOW',
      active: true,
      publishedVersion: options.published === false ? undefined : { id: '1.0', name: '1.0' },
      selfUri: `/api/v2/flows/${id}`,
    };
    this.flows.set(id, flow);
    return flow;
  }

  addIntegration(
    typeId: string,
    name: string,
    options: { intendedState?: 'ENABLED' | 'DISABLED'; properties?: object } = {},
  ): FakeIntegration {
    const id = randomUUID();
    const intendedState = options.intendedState ?? 'ENABLED';
    const integration: FakeIntegration = {
      id,
      name,
      integrationType: { id: typeId, name: typeId },
      intendedState,
      reportedState: { code: intendedState === 'ENABLED' ? 'ACTIVE' : 'INACTIVE' },
      selfUri: `/api/v2/integrations/${id}`,
    };
    this.integrations.set(id, integration);
    this.configs.set(id, {
      id,
      name,
      version: 1,
      properties: options.properties ?? {},
      advanced: {},
      notes: '',
      credentials: {},
    });
    return integration;
  }

  /** A data action; its request is a plain pass-through unless `request` says otherwise. */
  addAction(
    integrationId: string,
    name: string,
    url: string,
    request: platformClient.Models.RequestConfig = {},
  ): FakeAction {
    const id = `custom_-_${randomUUID()}`;
    const action: FakeAction = {
      id,
      name,
      integrationId,
      category: this.integrations.get(integrationId)?.name,
      version: 1,
      secure: false,
      contract: { input: { inputSchema: { type: 'object' } }, output: { successSchema: {} } },
      config: {
        timeoutSeconds: 10,
        request: {
          requestUrlTemplate: url,
          requestType: 'POST',
          requestTemplate: '${input.rawRequest}',
          headers: { 'Content-Type': 'application/json' },
          ...request,
        },
        response: { translationMap: {}, successTemplate: '${rawResult}' },
      },
      selfUri: `/api/v2/integrations/actions/${id}`,
    };
    this.actions.set(id, action);
    return action;
  }

  addTrigger(trigger: {
    name: string;
    topicName: string;
    workflowId: string;
    enabled?: boolean;
    matchCriteria?: platformClient.Models.MatchCriteria[];
  }): FakeTrigger {
    const id = randomUUID();
    const created: FakeTrigger = {
      id,
      name: trigger.name,
      topicName: trigger.topicName,
      target: {
        type: 'Workflow',
        id: trigger.workflowId,
        workflowTargetSettings: { dataFormat: 'Json' },
      },
      version: 1,
      enabled: trigger.enabled ?? true,
      matchCriteria: trigger.matchCriteria ?? [],
      eventTTLSeconds: 3600,
      selfUri: `/api/v2/processautomation/triggers/${id}`,
    };
    this.triggers.set(id, created);
    return created;
  }

  /** The next `times` requests matching `method` and `pathPrefix` fail with `status`. */
  failNext(
    method: string,
    pathPrefix: string,
    failure: { status: number; retryAfter?: string; times?: number },
  ): void {
    this.faults.push({ method, pathPrefix, remaining: failure.times ?? 1, ...failure });
  }

  /** Takes the fault due for this request, if any. */
  takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.method === method && path.startsWith(f.pathPrefix),
    );
    if (fault) fault.remaining -= 1;
    return fault;
  }

  /** Calls that change the org (tests are not writes: they change nothing). */
  writes(): FakeCall[] {
    return this.calls.filter(
      (call) =>
        call.method !== 'GET' && call.path.startsWith('/api/v2/') && !call.path.endsWith('/test'),
    );
  }

  triggersNamed(name: string): FakeTrigger[] {
    return [...this.triggers.values()].filter((trigger) => trigger.name === name);
  }
}
