import type platformClient from 'purecloud-platform-client-v2';
import type { GenesysClient } from './client';
import { GenesysDirectory } from './directory';
import { planDataAction } from './ensure-data-action';
import { planEventBridge } from './ensure-eventbridge';
import { planTrigger } from './ensure-trigger';
import { readSnapshot } from './verify';

export interface EnsureOptions {
  /** Data action: the URL it posts to. Without it, no data action step. */
  receiverUrl?: string;
  integrationName: string;
  actionName: string;
  /** A token the data action sends to the receiver, kept in a Genesys credential. */
  receiverToken?: string;
  /** Replace the stored token even when a credential exists (its value cannot be read). */
  rotateCredential: boolean;
  trigger?: {
    name: string;
    topic: string;
    /** A workflow's id or its exact name. */
    workflow: string;
    matchCriteria: platformClient.Models.MatchCriteria[];
    dataFormat: string;
  };
  eventBridge?: {
    topics: string[];
    /** Needed only to create the integration when there is none. */
    accountId?: string;
    accountRegion?: string;
    sourceSuffix?: string;
    name: string;
  };
}

/**
 * One step of the plan. `keep` changes nothing; `missing` is something ensure cannot create
 * (Architect workflows) and fails the run; `skip` is a note.
 */
export interface PlanStep {
  kind: 'create' | 'update' | 'replace' | 'keep' | 'missing' | 'skip';
  subject: string;
  detail: string;
  apply?: (context: ApplyContext) => Promise<void>;
}

/** Ids learnt while applying: a step may need what an earlier one created. */
export interface ApplyContext {
  dataActionIntegrationId?: string;
}

export interface EnsureResult {
  dryRun: boolean;
  steps: Array<Omit<PlanStep, 'apply'> & { done: boolean }>;
  /** The step that failed while applying, with the error; later steps did not run. */
  failure?: { subject: string; error: string };
}

/** Reads the org once and lists what ensure would do, in the order it does it. */
export async function planEnsure(
  client: GenesysClient,
  options: EnsureOptions,
): Promise<PlanStep[]> {
  await client.login();
  const directory = new GenesysDirectory(client);
  const snapshot = await readSnapshot(directory);

  const steps: PlanStep[] = [];
  if (options.receiverUrl) {
    steps.push(...(await planDataAction(client, directory, snapshot, options)));
  }
  if (options.trigger) steps.push(...planTrigger(client, snapshot, options.trigger));
  if (options.eventBridge) {
    steps.push(...(await planEventBridge(client, directory, snapshot, options.eventBridge)));
  }
  return steps;
}

/** Runs the steps in order; stops at the first failure and says which. */
export async function applyPlan(
  steps: PlanStep[],
  describe: (error: unknown) => string,
  context: ApplyContext = {},
): Promise<EnsureResult> {
  const result: EnsureResult = { dryRun: false, steps: [] };
  for (const step of steps) {
    const { apply, ...shown } = step;
    if (result.failure || !apply) {
      result.steps.push({ ...shown, done: !apply && !result.failure });
      continue;
    }
    try {
      await apply(context);
      result.steps.push({ ...shown, done: true });
    } catch (error) {
      result.failure = { subject: step.subject, error: describe(error) };
      result.steps.push({ ...shown, done: false });
    }
  }
  return result;
}

/** The plan as it would run, nothing applied. */
export function dryRun(steps: PlanStep[]): EnsureResult {
  return {
    dryRun: true,
    steps: steps.map(({ apply: _apply, ...shown }) => ({ ...shown, done: false })),
  };
}

export const STEP_MARKS: Record<PlanStep['kind'], string> = {
  create: '+',
  update: '~',
  replace: '±',
  keep: '=',
  missing: '!',
  skip: '-',
};

/** Reads `path:Operator:value` (values of In/NotIn separated by `|`) into a match criterion. */
export function parseMatchCriterion(text: string): platformClient.Models.MatchCriteria {
  const [jsonPath, operator, ...rest] = text.split(':');
  const raw = rest.join(':');
  if (!jsonPath || !operator || rest.length === 0) {
    throw new Error(
      `--match "${text}" is not jsonPath:Operator:value (e.g. mediaType:Equal:CHAT).`,
    );
  }
  if (operator === 'In' || operator === 'NotIn') {
    // The SDK types values as objects; Genesys takes JSON strings and numbers there.
    return { jsonPath, operator, values: raw.split('|') as unknown as object[] };
  }
  return { jsonPath, operator, value: raw as unknown as object };
}
