import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { describeError, type Logger } from '@webhook-dlq/runtime';
import { type GenesysConfig, listOf, loadGenesysConfig } from '../config';
import { checkLine, type CliIo, cliLogger, fail, printJson } from '../io';
import { GenesysClient } from './client';
import {
  applyPlan,
  dryRun,
  type EnsureOptions,
  parseMatchCriterion,
  planEnsure,
  STEP_MARKS,
} from './ensure';
import { testFire } from './test-fire';
import { verifyGenesys } from './verify';

const DEFAULT_INTEGRATION = 'Genesys webhook DLQ';
const DEFAULT_ACTION = 'Genesys webhook DLQ: post to receiver';
const DEFAULT_EVENTBRIDGE = 'Genesys webhook DLQ EventBridge';

/** A client for the configured org; says where calls go when that is not Genesys Cloud. */
export function genesysClientFor(config: GenesysConfig, logger: Logger, note: (t: string) => void) {
  const client = new GenesysClient({
    clientId: config.GENESYS_CLIENT_ID,
    clientSecret: config.GENESYS_CLIENT_SECRET,
    region: config.GENESYS_REGION,
    apiUrl: config.GENESYS_API_URL,
    onRetry: ({ operation, attempt, reason, waitMs }) =>
      logger.warn('genesys call retried', { operation, attempt, reason, wait_ms: waitMs }),
  });
  if (config.GENESYS_API_URL) {
    note(`genesys-admin: GENESYS_API_URL is set: login and API calls go to ${client.target}`);
  }
  return client;
}

export function addGenesysCommands(program: Command, io: CliIo): void {
  const genesys = program
    .command('genesys')
    .description('check and set up how Genesys Cloud sends events to the receiver');

  const setup = () => {
    const config = loadGenesysConfig(io.env);
    const logger = cliLogger(io, config.LOG_LEVEL, [
      config.GENESYS_CLIENT_SECRET,
      io.env.RECEIVER_AUTH_TOKEN ?? '',
    ]);
    return { config, client: genesysClientFor(config, logger, io.err) };
  };

  genesys
    .command('verify')
    .description('check credentials, data action, triggers and EventBridge; exit 1 on any ✘')
    .option('--receiver-url <url>', 'the receiver URL the data action must post to (RECEIVER_URL)')
    .option('--topics <list>', 'comma-separated topics that must be covered (GENESYS_TOPICS)')
    .option('--trigger-prefix <text>', 'our triggers are named with this (GENESYS_TRIGGER_PREFIX)')
    .option('--json', 'print JSON')
    .action(async (options: VerifyCliOptions) => {
      const { config, client } = setup();
      const receiverUrl = options.receiverUrl ?? config.RECEIVER_URL;
      if (!receiverUrl) throw new Error('Give --receiver-url or set RECEIVER_URL.');
      const report = await verifyGenesys(client, {
        receiverUrl,
        topics: listOf(options.topics ?? config.GENESYS_TOPICS),
        triggerPrefix: options.triggerPrefix ?? config.GENESYS_TRIGGER_PREFIX,
      });
      if (!report.ok) fail(io);
      if (options.json) return printJson(io, report);
      report.checks.forEach((c) => io.out(checkLine(c.ok, c.label, c.reason)));
    });

  genesys
    .command('ensure')
    .description('create or update the data action, trigger and EventBridge topics (idempotent)')
    .option('--receiver-url <url>', 'make the data action post here')
    .option('--integration-name <name>', 'the data actions integration', DEFAULT_INTEGRATION)
    .option('--action-name <name>', 'the data action', DEFAULT_ACTION)
    .option('--rotate-credential', 'replace the stored RECEIVER_AUTH_TOKEN even if one exists')
    .option('--topic <topic>', 'the trigger topic, e.g. v2.detail.events.conversation.{id}.acw')
    .option('--workflow <name-or-id>', 'the Architect workflow the trigger starts')
    .option('--trigger-name <name>', 'the trigger (start it with the prefix)', 'webhook-dlq')
    .option('--match <path:Operator:value>', 'a match criterion, repeatable', collect)
    .addOption(
      new Option('--data-format <format>', 'what the workflow gets')
        .choices(['Json', 'TopLevelPrimitives'])
        .default('Json'),
    )
    .option('--eventbridge-topics <list>', 'topics the EventBridge event filter must hold')
    .option('--eventbridge-name <name>', 'the EventBridge integration', DEFAULT_EVENTBRIDGE)
    .option('--eventbridge-account <id>', 'AWS account, to create the EventBridge integration')
    .option('--eventbridge-region <region>', 'AWS region, to create the EventBridge integration')
    .option('--eventbridge-suffix <suffix>', 'event source suffix, to create it')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--json', 'print JSON')
    .action(async (options: EnsureCliOptions) => {
      const ensureOptions = toEnsureOptions(options, io.env);
      const { client } = setup();
      const steps = await planEnsure(client, ensureOptions);
      const result = options.dryRun ? dryRun(steps) : await applyPlan(steps, describeError);
      if (result.failure || result.steps.some((step) => step.kind === 'missing')) fail(io);
      if (options.json) return printJson(io, result);

      io.out(options.dryRun ? 'Plan (dry run: nothing changed):' : 'Ensured:');
      for (const step of result.steps) {
        const mark = `${STEP_MARKS[step.kind]} ${step.kind.padEnd(7)}`;
        io.out(`${mark} ${step.subject} — ${step.detail}`);
      }
      const { failure } = result;
      if (failure) io.out(`✘ stopped at ${failure.subject}: ${failure.error}`);
    });

  genesys
    .command('test-fire')
    .description('make Genesys call the receiver with a probe event, and test our triggers')
    .option('--action-name <name>', 'the data action to test', DEFAULT_ACTION)
    .option('--receiver-url <url>', 'test the data action that posts here instead')
    .option('--trigger-prefix <text>', 'test the triggers named with this (GENESYS_TRIGGER_PREFIX)')
    .option('--topics <list>', 'test only the triggers on these topics')
    .option('--body <file>', 'JSON event body for the trigger tests')
    .option('--json', 'print JSON')
    .action(async (options: TestFireCliOptions) => {
      const { config, client } = setup();
      const report = await testFire(client, {
        actionName: options.actionName,
        receiverUrl: options.receiverUrl,
        triggerPrefix: options.triggerPrefix ?? config.GENESYS_TRIGGER_PREFIX,
        topics: listOf(options.topics),
        sampleBody: options.body
          ? (JSON.parse(readFileSync(options.body, 'utf8')) as Record<string, unknown>)
          : undefined,
      });
      if (!report.ok) fail(io);
      if (options.json) return printJson(io, report);
      report.steps.forEach((step) => io.out(checkLine(step.ok, step.label, step.reason)));
    });
}

interface VerifyCliOptions {
  receiverUrl?: string;
  topics?: string;
  triggerPrefix?: string;
  json?: boolean;
}

interface EnsureCliOptions {
  receiverUrl?: string;
  integrationName: string;
  actionName: string;
  rotateCredential?: boolean;
  topic?: string;
  workflow?: string;
  triggerName: string;
  match?: string[];
  dataFormat: string;
  eventbridgeTopics?: string;
  eventbridgeName: string;
  eventbridgeAccount?: string;
  eventbridgeRegion?: string;
  eventbridgeSuffix?: string;
  dryRun?: boolean;
  json?: boolean;
}

interface TestFireCliOptions {
  actionName: string;
  receiverUrl?: string;
  triggerPrefix?: string;
  topics?: string;
  body?: string;
  json?: boolean;
}

function toEnsureOptions(options: EnsureCliOptions, env: NodeJS.ProcessEnv): EnsureOptions {
  if (Boolean(options.topic) !== Boolean(options.workflow)) {
    throw new Error('--topic and --workflow go together: a trigger needs both.');
  }
  const eventBridgeTopics = listOf(options.eventbridgeTopics);
  if (!options.receiverUrl && !options.topic && eventBridgeTopics.length === 0) {
    throw new Error(
      'Nothing to ensure: give --receiver-url, --topic with --workflow, or --eventbridge-topics.',
    );
  }
  return {
    receiverUrl: options.receiverUrl,
    integrationName: options.integrationName,
    actionName: options.actionName,
    receiverToken: env.RECEIVER_AUTH_TOKEN || undefined,
    rotateCredential: Boolean(options.rotateCredential),
    trigger:
      options.topic && options.workflow
        ? {
            name: options.triggerName,
            topic: options.topic,
            workflow: options.workflow,
            matchCriteria: (options.match ?? []).map(parseMatchCriterion),
            dataFormat: options.dataFormat,
          }
        : undefined,
    eventBridge:
      eventBridgeTopics.length > 0
        ? {
            topics: eventBridgeTopics,
            name: options.eventbridgeName,
            accountId: options.eventbridgeAccount,
            accountRegion: options.eventbridgeRegion,
            sourceSuffix: options.eventbridgeSuffix,
          }
        : undefined,
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
