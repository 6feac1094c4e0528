import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeGenesys } from './fake-genesys/server';
import { jsonOut, runCli, testIo } from './support/cli-harness';
import { genesysEnv, isolateGenesysSdk, startFakeGenesys } from './support/fake-genesys-env';
import { seedHealthyOrg, TOPIC_END, TOPIC_START } from './support/org-fixtures';

/**
 * Stands in for the receiver: answers as the real one does for the probe topic (the
 * receiver's own tests prove that it does), or as told.
 */
class ReceiverStandIn {
  readonly calls: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  answer: { status: number; body: object } = { status: 200, body: { status: 'probe' } };
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ReceiverStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new ReceiverStandIn(server, `http://127.0.0.1:${port}/webhooks/genesys`);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        standIn.calls.push({ headers: req.headers, body });
        res.writeHead(standIn.answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(standIn.answer.body));
      });
    });
    return standIn;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('genesys test-fire against the fake Genesys API', () => {
  isolateGenesysSdk();
  let fake: FakeGenesys;
  let receiver: ReceiverStandIn;

  beforeEach(async () => {
    fake = await startFakeGenesys();
    receiver = await ReceiverStandIn.start();
  });

  afterEach(async () => {
    await Promise.all([fake.close(), receiver.close()]);
  });

  const fire = (...args: string[]) =>
    runCli(testIo(genesysEnv(fake)), ['genesys', 'test-fire', ...args]);

  it('makes Genesys call the receiver with a probe, then tests each of our triggers', async () => {
    seedHealthyOrg(fake.state, receiver.url);

    const io = await fire();

    expect(io.lines).toEqual([
      '✔ data action test (Genesys → receiver) — Genesys called the receiver through ' +
        "'Genesys webhook DLQ: post to receiver'; it answered as a probe (not forwarded)",
      `✔ trigger test 'webhook-dlq customer end' (${TOPIC_END}) — the sample event matches ` +
        'and the target is valid (test mode: no workflow ran)',
      `✔ trigger test 'webhook-dlq customer start' (${TOPIC_START}) — the sample event ` +
        'matches and the target is valid (test mode: no workflow ran)',
    ]);
    expect(io.exitCode).toBe(0);
    expect(receiver.calls).toHaveLength(1);
    expect(receiver.calls[0].headers['x-genesys-topic']).toBe('genesys-admin.probe');
    expect(JSON.parse(receiver.calls[0].body)).toMatchObject({
      topicName: 'genesys-admin.probe',
      eventBody: { probe: true },
    });
  });

  it('warns when the receiver answers but not as a probe (it may have forwarded it)', async () => {
    seedHealthyOrg(fake.state, receiver.url);
    receiver.answer = { status: 200, body: { status: 'delivered' } };

    const io = await fire('--json', '--topics', TOPIC_END);

    const report = jsonOut<{ ok: boolean; steps: Array<{ ok: boolean; reason: string }> }>(io);
    expect(report.ok).toBe(false);
    expect(report.steps).toHaveLength(2);
    expect(report.steps[0].reason).toContain('may have forwarded the probe');
    expect(io.exitCode).toBe(1);
  });

  it('reports a receiver that refuses, and a trigger whose workflow is not published', async () => {
    const org = seedHealthyOrg(fake.state, receiver.url);
    receiver.answer = { status: 503, body: { error: 'unavailable' } };
    fake.state.flows.get(org.workflow.id ?? '')!.publishedVersion = undefined;

    const io = await fire('--topics', TOPIC_START);

    expect(io.lines[0]).toMatch(
      /^✘ data action test .* failed: REST call for action execute failed/,
    );
    expect(io.lines[1]).toBe(
      `✘ trigger test 'webhook-dlq customer start' (${TOPIC_START}) — failed: ` +
        'Verify that trigger target is configured correctly',
    );
    expect(io.exitCode).toBe(1);
  });

  it('says so when there is no data action to test', async () => {
    seedHealthyOrg(fake.state, receiver.url);

    const io = await fire('--action-name', 'Not there');

    expect(io.lines[0]).toBe(
      "✘ data action test (Genesys → receiver) — no data action named 'Not there'",
    );
    expect(receiver.calls).toEqual([]);
  });
});
