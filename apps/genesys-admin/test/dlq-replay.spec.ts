import { decodeEnvelope, type DlqEnvelope, withAttempt } from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';
import { freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';
import { jsonOut, runCli, testIo } from './support/cli-harness';
import {
  eventIds,
  everything,
  park,
  parkedEnvelope,
  parkUnreadable,
  queueEnv,
  sampleEvent,
  useLocalAwsCredentials,
} from './support/parked';

const END = 'v2.detail.events.conversation.2f7bf00a-0fc2-4d6a-9b56-92238191433e.customer.end';

describe('dlq replay and purge against the local SQS server', () => {
  useLocalAwsCredentials();
  let dlq: SqsQueue;
  let parked: SqsQueue;
  let env: Record<string, string>;

  /** Parks: 3 exhausted ends, 2 permanent starts, 1 unreadable. */
  async function parkMixture(): Promise<void> {
    for (const n of [1, 2, 3]) {
      await park(parked, parkedEnvelope(sampleEvent(n, 'end')), 'exhausted');
    }
    for (const n of [1, 2]) {
      await park(parked, parkedEnvelope(sampleEvent(n, 'start'), { status: 422 }), 'permanent');
    }
    await parkUnreadable(parked, 'not json at all');
  }

  beforeEach(async () => {
    const queues = await freshQueues(testSqsClient());
    ({ dlq, parked } = queues);
    env = queueEnv(queues);
  });

  it('replays the messages of a topic pattern, keeping history, adding a replay', async () => {
    await parkMixture();
    const io = testIo(env);

    await runCli(io, [
      ...['dlq', 'replay', '--from', 'parked'],
      ...['--topic', 'v2.detail.events.conversation.{id}.customer.end'],
      ...['--actor', 'alice', '--rate', '200'],
    ]);

    expect(io.exitCode).toBe(0);
    const after = await everything(dlq, parked);
    expect(eventIds(after.dlq)).toEqual(['event-end-1', 'event-end-2', 'event-end-3']);
    expect(after.parked).toHaveLength(3);
    expect(after.parked.map((m) => m.attributes.park_reason).sort()).toEqual([
      'permanent',
      'permanent',
      'unreadable',
    ]);

    const envelope = decodeEnvelope(after.dlq[0].body);
    expect(envelope.attempts).toHaveLength(3);
    expect(envelope.replays).toEqual([
      { at: expect.any(String), actor: 'alice', parkReason: 'exhausted', attemptsBefore: 3 },
    ]);
    expect(after.dlq[0].attributes).toMatchObject({ topic: END, attempt: '3' });

    expect(io.lines.at(-2)).toBe(
      '3 of 3 matching parked messages replayed onto the DLQ (6 scanned)',
    );
    expect(io.lines.at(-1)).toMatch(/^audit: alice dlq replay at \S+, filter topic=\S+, count 3$/);
    expect(io.logs()).toContainEqual(
      expect.objectContaining({
        message: 'audit',
        audit: 'dlq replay',
        actor: 'alice',
        filter: { topic: 'v2.detail.events.conversation.{id}.customer.end' },
        count: 3,
        dry_run: false,
      }),
    );
  });

  it('selects by reason, by event id and by parked time; clears a pending notBefore', async () => {
    const late = parkedEnvelope(sampleEvent(9, 'end'), { notBefore: '2999-01-01T00:00:00.000Z' });
    await parkMixture();
    // SQS stamps SentTimestamp in ms: a pause makes "parked at or after" unambiguous.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await park(parked, late, 'expired');

    const replay = ['dlq', 'replay', '--from', 'parked'];
    const bySince = await runCli(testIo(env), [...replay, '--since', since]);
    const byReason = await runCli(testIo(env), [
      ...replay,
      ...['--reason', 'permanent', '--event-id', 'event-start-2'],
    ]);

    expect(bySince.exitCode).toBe(0);
    expect(byReason.exitCode).toBe(0);
    const after = await everything(dlq, parked);
    expect(eventIds(after.dlq)).toEqual(['event-end-9', 'event-start-2']);
    const replayedLate = after.dlq.find((m) => m.attributes.event_id === 'event-end-9')!;
    expect(decodeEnvelope(replayedLate.body).notBefore).toBeUndefined();
    expect(decodeEnvelope(replayedLate.body).replays?.[0]).toMatchObject({
      actor: 'test-operator',
      parkReason: 'expired',
    });
    expect(after.parked).toHaveLength(5);
  });

  it('changes nothing on a dry run, and lists what would move', async () => {
    await parkMixture();
    const io = testIo(env);

    await runCli(io, [
      ...['dlq', 'replay', '--from', 'parked'],
      ...['--reason', 'exhausted', '--dry-run', '--json'],
    ]);

    type Result = { matched: number; done: number; matches: Array<{ eventId: string }> };
    const result = jsonOut<Result>(io);
    expect(result.matched).toBe(3);
    expect(result.done).toBe(0);
    expect(result.matches.map((m) => m.eventId).sort()).toEqual([
      'event-end-1',
      'event-end-2',
      'event-end-3',
    ]);
    const after = await everything(dlq, parked);
    expect(after.dlq).toEqual([]);
    expect(after.parked).toHaveLength(6);
  });

  it('skips unreadable messages when asked to replay them, and says why', async () => {
    await parkMixture();
    const io = testIo(env);

    await runCli(io, ['dlq', 'replay', '--from', 'parked', '--reason', 'unreadable']);

    expect(io.exitCode).toBe(1);
    expect(io.lines).toContainEqual(
      expect.stringMatching(/^✘ skipped .*: unreadable, cannot be retried as it is/),
    );
    const after = await everything(dlq, parked);
    expect(after.dlq).toEqual([]);
    expect(after.parked).toHaveLength(6);
  });

  it('stops on Ctrl-C after the message in hand: nothing lost, nothing twice', async () => {
    for (let n = 1; n <= 12; n += 1) {
      await park(parked, parkedEnvelope(sampleEvent(n)), 'exhausted');
    }
    const io = testIo(env);

    const running = runCli(io, ['dlq', 'replay', '--from', 'parked', '--rate', '4']);
    // About three messages in at 4 per second; the exact moment does not matter.
    setTimeout(() => io.interrupt(), 700);
    await running;

    expect(io.exitCode).toBe(130);
    const after = await everything(dlq, parked);
    expect(after.dlq.length).toBeGreaterThan(0);
    expect(after.dlq.length).toBeLessThan(12);
    expect([...eventIds(after.dlq), ...eventIds(after.parked)].sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `event-end-${i + 1}`).sort(),
    );
    expect(io.lines).toContain('stopped by Ctrl-C; the message in hand was finished');
  });

  it('leaves alone a copy parked again while the run goes on: one replay per event', async () => {
    await park(parked, parkedEnvelope(sampleEvent(1)), 'exhausted');
    // Plays the worker while the replay is still walking the parking queue: the first replayed
    // copy fails once more and is parked again at once. Later copies are only counted, so a
    // run that replays its own copies ends, and fails below instead of looping.
    const queues = { dlq, parked };
    let stopWorker = false;
    let replaysSeen = 0;
    const worker = (async () => {
      while (!stopWorker) {
        const received = await queues.dlq.receive({
          waitTimeSeconds: 1,
          visibilityTimeoutSeconds: 30,
        });
        for (const message of received) {
          replaysSeen += 1;
          if (replaysSeen === 1) await park(queues.parked, failedAgain(message.body), 'exhausted');
          await queues.dlq.delete(message.receiptHandle);
        }
      }
    })();
    const io = testIo(env);

    try {
      await runCli(io, ['dlq', 'replay', '--from', 'parked', '--topic', END]);
    } finally {
      stopWorker = true;
      await worker;
    }

    expect(io.exitCode).toBe(0);
    expect(replaysSeen).toBe(1);
    expect(io.lines).toContain('1 of 1 matching parked messages replayed onto the DLQ (2 scanned)');
    expect(io.lines).toContain(
      '1 parked again during this run (an event it replayed failed again): left parked',
    );
    const after = await everything(dlq, parked);
    expect(after.dlq).toEqual([]);
    expect(eventIds(after.parked)).toEqual(['event-end-1']);
    expect(decodeEnvelope(after.parked[0].body).replays).toHaveLength(1);
  });

  it('purge refuses without --yes, then deletes exactly the matching messages', async () => {
    await parkMixture();

    const refused = await runCli(testIo(env), ['dlq', 'purge', '--queue', 'parked']);
    expect(refused.exitCode).toBe(1);
    expect(refused.errLines[0]).toMatch(/needs --yes/);
    expect(await parked.depth()).toMatchObject({ visible: 6, inFlight: 0 });

    const io = await runCli(testIo(env), [
      ...['dlq', 'purge', '--queue', 'parked'],
      ...['--reason', 'permanent', '--yes', '--actor', 'bob'],
    ]);

    expect(io.exitCode).toBe(0);
    const after = await everything(dlq, parked);
    expect(after.parked.map((m) => m.attributes.park_reason).sort()).toEqual([
      'exhausted',
      'exhausted',
      'exhausted',
      'unreadable',
    ]);
    expect(after.dlq).toEqual([]);
    expect(io.logs()).toContainEqual(
      expect.objectContaining({ audit: 'dlq purge', actor: 'bob', count: 2 }),
    );
  });
});

/** A replayed DLQ message as the worker parks it after one more failed try. */
function failedAgain(body: string): DlqEnvelope {
  const envelope = decodeEnvelope(body);
  return withAttempt(envelope, {
    attempt: envelope.attempts.length + 1,
    at: new Date().toISOString(),
    outcome: 'retryable',
    statusCode: 503,
    error: 'downstream answered 503',
    durationMs: 9,
    by: 'dlq-worker',
  });
}
