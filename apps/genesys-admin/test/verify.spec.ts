import type { FakeGenesys } from './fake-genesys/server';
import { jsonOut, runCli, testIo } from './support/cli-harness';
import {
  CLIENT_SECRET,
  genesysEnv,
  isolateGenesysSdk,
  startFakeGenesys,
} from './support/fake-genesys-env';
import { RECEIVER_URL, seedHealthyOrg, TOPIC_END, TOPIC_START } from './support/org-fixtures';

describe('genesys verify against the fake Genesys API', () => {
  isolateGenesysSdk();
  let fake: FakeGenesys;

  beforeEach(async () => {
    // Two per page, so every listing takes several pages.
    fake = await startFakeGenesys({ maxPageSize: 2 });
  });

  afterEach(async () => {
    await fake.close();
  });

  const verify = (...args: string[]) =>
    runCli(testIo(genesysEnv(fake)), [
      'genesys',
      'verify',
      '--receiver-url',
      RECEIVER_URL,
      ...args,
    ]);

  it('passes every check on a healthy setup and exits 0', async () => {
    seedHealthyOrg(fake.state);

    const io = await verify();

    expect(io.lines).toEqual([
      '✔ credentials — client credentials accepted',
      "✔ data action integration — integration 'Genesys webhook DLQ' is ENABLED and ACTIVE",
      "✔ data action URL — action 'Genesys webhook DLQ: post to receiver' posts to " + RECEIVER_URL,
      `✔ trigger ${TOPIC_END} — trigger 'webhook-dlq customer end' is enabled and starts ` +
        "workflow 'Forward events to the webhook DLQ'",
      `✔ trigger ${TOPIC_START} — trigger 'webhook-dlq customer start' is enabled and starts ` +
        "workflow 'Forward events to the webhook DLQ'",
      "✔ EventBridge integration — integration 'Genesys to EventBridge' is ENABLED and ACTIVE",
      `✔ EventBridge topics — the event filter holds ${TOPIC_END}, ${TOPIC_START}`,
    ]);
    expect(io.exitCode).toBe(0);
    expect(io.errLines.join('\n')).toContain(
      `GENESYS_API_URL is set: login and API calls go to ${fake.url}`,
    );
  });

  it('names a disabled integration, a disabled trigger, an action posting elsewhere', async () => {
    const org = seedHealthyOrg(fake.state, 'https://old-receiver.example.org/hooks?token=abc');
    fake.state.integrations.get(org.dataActions.id ?? '')!.intendedState = 'DISABLED';
    fake.state.triggers.get(org.triggerStart.id ?? '')!.enabled = false;

    const io = await verify();

    expect(io.exitCode).toBe(1);
    expect(io.lines).toContain(
      "✘ data action integration — integration 'Genesys webhook DLQ' is DISABLED",
    );
    expect(io.lines).toContain(
      `✘ data action URL — no data action posts to ${RECEIVER_URL}; found ` +
        "'Genesys webhook DLQ: post to receiver' → https://old-receiver.example.org/hooks",
    );
    expect(io.lines).toContain(
      `✘ trigger ${TOPIC_START} — trigger 'webhook-dlq customer start' is disabled`,
    );
    expect(io.lines.filter((line) => line.startsWith('✔ trigger'))).toHaveLength(1);
    // A query string can hold a credential: it is never shown.
    expect(io.lines.join('\n')).not.toContain('token=abc');
  });

  it('says an integration is ENABLED but not ACTIVE, and a workflow is gone', async () => {
    const org = seedHealthyOrg(fake.state);
    fake.state.reportedOverride.set(org.eventBridge.id ?? '', 'ERROR');
    fake.state.flows.delete(org.workflow.id ?? '');

    const io = await verify('--json');

    const report = jsonOut<{ ok: boolean; checks: Array<{ id: string; ok: boolean }> }>(io);
    expect(report.ok).toBe(false);
    expect(report.checks).toContainEqual({
      id: 'eventbridge-integration',
      label: 'EventBridge integration',
      ok: false,
      reason: "integration 'Genesys to EventBridge' is ENABLED but reports ERROR",
    });
    expect(report.checks.find((check) => check.id === `trigger:${TOPIC_END}`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('which does not exist'),
    });
    expect(io.exitCode).toBe(1);
  });

  it('checks the given topics on every configured path', async () => {
    seedHealthyOrg(fake.state);
    const extra = 'v2.detail.events.conversation.{id}.acw';

    const io = await verify('--topics', `${TOPIC_END},${extra}`);

    expect(io.lines).toContain(`✘ trigger ${extra} — no trigger on this topic`);
    expect(io.lines).toContain(`✘ EventBridge topics — the event filter lacks ${extra}`);
    expect(io.lines.some((line) => line.includes(TOPIC_START))).toBe(false);
    expect(io.exitCode).toBe(1);
  });

  it('fails when neither delivery path is configured', async () => {
    fake.state.addWorkflow('unrelated');

    const io = await verify();

    expect(io.lines[1]).toMatch(/^✘ delivery path — neither path is configured/);
    expect(io.exitCode).toBe(1);
  });

  it('reports refused credentials without printing the secret', async () => {
    seedHealthyOrg(fake.state);
    const io = testIo(genesysEnv(fake, { GENESYS_CLIENT_SECRET: 'wrong-secret-value' }));

    await runCli(io, ['genesys', 'verify', '--receiver-url', RECEIVER_URL]);

    expect(io.lines).toEqual([
      '✘ credentials — GenesysLoginError: Genesys refused the client credentials (401): ' +
        'authentication failed',
    ]);
    expect(io.exitCode).toBe(1);
    const everything = [...io.lines, ...io.errLines, ...io.logs().map((l) => JSON.stringify(l))];
    expect(everything.join('\n')).not.toMatch(/wrong-secret-value|very-secret|Basic /);
    expect(CLIENT_SECRET).toBe('very-secret-value-0f3c9a');
  });
});
