import type { FakeGenesys } from './fake-genesys/server';
import { jsonOut, runCli, testIo } from './support/cli-harness';
import { genesysEnv, isolateGenesysSdk, startFakeGenesys } from './support/fake-genesys-env';
import {
  ACTION_NAME,
  INTEGRATION_NAME,
  RECEIVER_URL,
  TOPIC_END,
  TOPIC_START,
  WORKFLOW_NAME,
} from './support/org-fixtures';

const TOKEN = 'receiver-token-5b2e81';

describe('genesys ensure against the fake Genesys API', () => {
  isolateGenesysSdk();
  let fake: FakeGenesys;

  beforeEach(async () => {
    fake = await startFakeGenesys({ maxPageSize: 2 });
    // Architect content is the customer's: ensure finds the workflow, never creates it.
    fake.state.addWorkflow(WORKFLOW_NAME);
  });

  afterEach(async () => {
    await fake.close();
  });

  const ensureArgs = (topic = TOPIC_END) => [
    'genesys',
    'ensure',
    '--receiver-url',
    RECEIVER_URL,
    '--topic',
    topic,
    '--workflow',
    WORKFLOW_NAME,
    '--trigger-name',
    'webhook-dlq customer end',
    '--match',
    'mediaType:Equal:CHAT',
    '--match',
    'disconnectType:In:ERROR|TRANSFER',
    '--eventbridge-topics',
    `${TOPIC_END},${TOPIC_START}`,
    '--eventbridge-account',
    '123456789012',
    '--eventbridge-region',
    'eu-central-1',
    '--eventbridge-suffix',
    'webhook-dlq',
  ];
  const ensure = (args: string[], extra: Record<string, string> = {}) =>
    runCli(testIo(genesysEnv(fake, { RECEIVER_AUTH_TOKEN: TOKEN, ...extra })), args);

  it('creates everything on an empty org, and verify then passes', async () => {
    const io = await ensure(ensureArgs());

    expect(io.exitCode).toBe(0);
    expect(io.lines[0]).toBe('Ensured:');
    expect(io.lines.slice(1).map((line) => line.slice(0, 9))).toEqual([
      '+ create ',
      '+ create ',
      '+ create ',
      '+ create ',
      '+ create ',
    ]);
    const [trigger] = fake.state.triggersNamed('webhook-dlq customer end');
    expect(trigger).toMatchObject({
      topicName: TOPIC_END,
      enabled: true,
      target: { type: 'Workflow', workflowTargetSettings: { dataFormat: 'Json' } },
      matchCriteria: [
        { jsonPath: 'mediaType', operator: 'Equal', value: 'CHAT' },
        { jsonPath: 'disconnectType', operator: 'In', values: ['ERROR', 'TRANSFER'] },
      ],
    });
    const [action] = [...fake.state.actions.values()];
    expect(action).toMatchObject({
      name: ACTION_NAME,
      category: INTEGRATION_NAME,
      config: { request: { requestUrlTemplate: RECEIVER_URL, requestType: 'POST' } },
    });
    const [credential] = [...fake.state.credentials.values()];
    expect(credential.credentialFields).toEqual({ token: TOKEN });
    expect(JSON.stringify(io.lines)).not.toContain(TOKEN);

    const verified = await runCli(testIo(genesysEnv(fake)), [
      'genesys',
      'verify',
      '--receiver-url',
      RECEIVER_URL,
      '--topics',
      TOPIC_END,
    ]);
    expect(verified.lines.filter((line) => !line.startsWith('✔'))).toEqual([]);
    expect(verified.exitCode).toBe(0);
  });

  it('changes nothing on a second run', async () => {
    await ensure(ensureArgs());
    const writesBefore = fake.state.writes().length;

    const io = await ensure([...ensureArgs(), '--json']);

    const result = jsonOut<{ steps: Array<{ kind: string; subject: string }> }>(io);
    expect(result.steps.map((step) => step.kind)).toEqual(['keep', 'keep', 'keep', 'keep', 'keep']);
    expect(fake.state.writes()).toHaveLength(writesBefore);
    expect(io.exitCode).toBe(0);
  });

  it('replaces a trigger whose topic changed, and says so', async () => {
    await ensure(ensureArgs(TOPIC_END));
    const [old] = fake.state.triggersNamed('webhook-dlq customer end');

    const io = await ensure(ensureArgs(TOPIC_START));

    const replaceLine = io.lines.find((line) => line.startsWith('± replace'));
    expect(replaceLine).toContain(`topic ${TOPIC_END} → ${TOPIC_START}`);
    expect(replaceLine).toContain('cannot change');
    const now = fake.state.triggersNamed('webhook-dlq customer end');
    expect(now).toHaveLength(1);
    expect(now[0].topicName).toBe(TOPIC_START);
    expect(now[0].id).not.toBe(old.id);
    expect(io.exitCode).toBe(0);
  });

  it('updates a drifted action URL and a disabled trigger in place', async () => {
    await ensure(ensureArgs());
    const [action] = [...fake.state.actions.values()];
    action.config!.request!.requestUrlTemplate = 'https://elsewhere.example.org/in';
    const [trigger] = fake.state.triggersNamed('webhook-dlq customer end');
    trigger.enabled = false;

    const io = await ensure(ensureArgs());

    expect(io.lines).toContain(
      `~ update  data action '${ACTION_NAME}' — ` +
        `URL https://elsewhere.example.org/in → ${RECEIVER_URL}`,
    );
    expect(io.lines).toContain("~ update  trigger 'webhook-dlq customer end' — enable it");
    const updated = fake.state.actions.get(action.id ?? '');
    expect(updated?.config?.request?.requestUrlTemplate).toBe(RECEIVER_URL);
    expect(fake.state.triggers.get(trigger.id ?? '')).toMatchObject({ enabled: true, version: 2 });
  });

  it('prints the plan on --dry-run and writes nothing', async () => {
    const io = await ensure([...ensureArgs(), '--dry-run']);

    expect(io.lines[0]).toBe('Plan (dry run: nothing changed):');
    expect(io.lines).toHaveLength(6);
    expect(fake.state.writes()).toEqual([]);
  });

  it('says what is missing when the workflow does not exist, and exits 1', async () => {
    const args = ensureArgs().map((arg) => (arg === WORKFLOW_NAME ? 'No such workflow' : arg));

    const io = await ensure(args);

    expect(io.lines).toContainEqual(
      expect.stringMatching(
        /^! missing workflow 'No such workflow' — no such workflow\. ensure does not create/,
      ),
    );
    expect(io.lines).toContain(
      "- skip    trigger 'webhook-dlq customer end' — waits for the workflow",
    );
    expect(fake.state.triggers.size).toBe(0);
    expect(io.exitCode).toBe(1);
  });
});
