import type { SqsQueue } from '@webhook-dlq/sqs';
import { freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import { jsonOut, runCli, testIo } from './support/cli-harness';
import {
  park,
  parkedEnvelope,
  parkUnreadable,
  queueEnv,
  sampleBytes,
  sampleEvent,
  useLocalAwsCredentials,
} from './support/parked';

describe('dlq stats and peek against the local SQS server', () => {
  useLocalAwsCredentials();
  let dlq: SqsQueue;
  let parked: SqsQueue;
  let env: Record<string, string>;

  beforeEach(async () => {
    const queues = await freshQueues(testSqsClient());
    ({ dlq, parked } = queues);
    env = queueEnv(queues);
  });

  it('reports depth of both queues as JSON', async () => {
    await dlq.send({ body: 'a' });
    await dlq.send({ body: 'b', delaySeconds: 60 });

    const io = await runCli(testIo(env), ['dlq', 'stats', '--json']);

    expect(jsonOut(io)).toEqual({
      dlq: { visible: 1, inFlight: 0, delayed: 1 },
      parked: { visible: 0, inFlight: 0, delayed: 0 },
    });
  });

  it('--scan counts parked messages by reason and topic, says so, and releases them', async () => {
    await park(parked, parkedEnvelope(sampleEvent(1, 'end')), 'exhausted');
    await park(parked, parkedEnvelope(sampleEvent(2, 'end')), 'exhausted');
    await park(parked, parkedEnvelope(sampleEvent(1, 'start'), { status: 400 }), 'permanent');
    await parkUnreadable(parked, '{"half": ');

    const io = await runCli(testIo(env), ['dlq', 'stats', '--scan', '--json']);

    const { parkedScan } = jsonOut<{ parkedScan: Record<string, unknown> }>(io);
    expect(parkedScan).toMatchObject({
      scanned: 4,
      byReason: { exhausted: 2, permanent: 1, unreadable: 1 },
      byTopic: {
        'v2.detail.events.conversation.{id}.customer.end': 2,
        'v2.detail.events.conversation.{id}.customer.start': 1,
        '(no topic)': 1,
      },
      notReleased: 0,
    });
    expect(parkedScan.oldestParkedAgeSeconds).toBeLessThan(60);
    expect(io.errLines[0]).toMatch(/received once and released at once/);
    expect(await parked.depth()).toMatchObject({ visible: 4, inFlight: 0 });
  });

  it('peek shows identity, attempts and last error, and no body unless asked', async () => {
    await park(parked, parkedEnvelope(sampleEvent(1, 'end'), { attempts: 8 }), 'exhausted');
    const io = await runCli(testIo(env), ['dlq', 'peek']);

    expect(io.lines).toEqual([
      expect.stringMatching(
        /^event-end-1 {2}v2\.detail\.\S+\.customer\.end {2}attempts 8 {2}exhausted {2}parked \S+$/,
      ),
      '  last error: downstream answered 503 (503)',
    ]);
    expect(io.errLines[0]).toMatch(/^Peeking counts as a receive in SQS/);
    const [again] = await receiveAll(parked);
    expect(again.receiveCount).toBe(2);
  });

  it('peek --show-body masks personal data unless --unmasked', async () => {
    const body = Buffer.from(
      JSON.stringify({
        topicName: 'v2.detail.events.conversation.c1.customer.end',
        eventBody: {
          ...JSON.parse(sampleBytes('bareEventBody').toString()),
          ani: 'tel:+4930123456',
        },
        metadata: { CorrelationId: 'corr-1' },
      }),
    );
    await park(parked, parkedEnvelope(body), 'permanent');

    const masked = await runCli(testIo(env), ['dlq', 'peek', '--show-body', '--json']);
    const unmasked = await runCli(testIo(env), [
      'dlq',
      'peek',
      '--show-body',
      '--unmasked',
      '--json',
    ]);

    type Peeked = { messages: Array<{ body: { eventBody: Record<string, unknown> } }> };
    const maskedBody = jsonOut<Peeked>(masked).messages[0].body.eventBody;
    expect(maskedBody).toMatchObject({
      ani: '«masked»',
      dnis: '«masked»',
      callbackNumbers: ['«masked»', '«masked»'],
      callbackUserName: '«masked»',
      conversationId: 'conversationId',
      mediaType: 'CHAT',
      interactingDurationMs: 500,
    });
    expect(JSON.stringify(masked.lines)).not.toContain('+4930123456');
    expect(jsonOut<Peeked>(unmasked).messages[0].body.eventBody.ani).toBe('tel:+4930123456');
  });

  it('peek says where a body kept outside the message is', async () => {
    const envelope = parkedEnvelope(sampleEvent(1));
    const bodyRef = {
      bucket: 'dlq-bodies',
      key: 'event-end-1',
      sizeBytes: 10,
      sha256: 'a'.repeat(64),
    };
    await parked.send({
      body: JSON.stringify({ ...envelope, body: undefined, bodyRef }),
      eventId: envelope.eventId,
      topic: envelope.topic,
      attributes: { park_reason: 'exhausted' },
    });

    const io = await runCli(testIo(env), ['dlq', 'peek', '--show-body', '--json']);

    const peeked = jsonOut<{ messages: Array<{ body: unknown }> }>(io);
    expect(peeked.messages[0].body).toBe(
      '(stored outside the message: s3://dlq-bodies/event-end-1)',
    );
  });

  it('peek filters by topic and looks at the DLQ when asked', async () => {
    await dlq.send({ body: 'not an envelope', eventId: 'x1', topic: 'a.b.c' });
    await dlq.send({ body: 'not an envelope either', eventId: 'x2', topic: 'a.b.d' });

    const args = ['dlq', 'peek', '--queue', 'dlq', '--topic', 'a.b.d', '--json'];
    const io = await runCli(testIo(env), args);

    const peeked = jsonOut<{ messages: Array<{ eventId: string }>; received: number }>(io);
    expect(peeked.messages.map((m) => m.eventId)).toEqual(['x2']);
    expect(peeked.received).toBe(2);
    expect(io.errLines[0]).toContain('the DLQ redrive policy counts it');
    expect(await dlq.depth()).toMatchObject({ visible: 2, inFlight: 0 });
  });
});
