import type { ReceivedMessage } from '@webhook-dlq/sqs';
import { freshQueues, testSqsClient } from '../../../tools/testing/sqs-kit';
import {
  matchesFilter,
  parseFilter,
  parseSince,
  topicMatches,
  topicPattern,
} from '../src/dlq/filters';
import { MASK, maskPersonalData, showBody } from '../src/dlq/mask';
import { QueueWalk } from '../src/dlq/walk';
import { sampleJson } from '../../../test-fixtures/genesys/samples';
import { useLocalAwsCredentials } from './support/parked';

describe('QueueWalk against the local SQS server', () => {
  useLocalAwsCredentials();

  it('hands each message out once even when it comes round again, then releases all', async () => {
    const { parked } = await freshQueues(testSqsClient());
    await parked.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const walk = new QueueWalk(parked, { visibilitySeconds: 3, waitTimeSeconds: 1 });

    const seen: string[] = [];
    let pauses = 0;
    for await (const batch of walk.batches()) {
      seen.push(...batch.map((message) => message.body));
      // Once slower than the visibility timeout: the same messages are received again.
      if (pauses++ === 0) await new Promise((resolve) => setTimeout(resolve, 3500));
    }

    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(walk.heldCount).toBe(3);
    expect(await walk.release()).toBe(0);
    expect(await parked.depth()).toMatchObject({ visible: 3, inFlight: 0 });
  });
});

describe('message filters', () => {
  const message = (attributes: Record<string, string>, sentAt: string): ReceivedMessage => ({
    messageId: 'm',
    receiptHandle: 'r',
    body: '',
    receiveCount: 1,
    sentAt: new Date(sentAt),
    attributes,
  });
  const parked = message(
    {
      event_id: 'e1',
      topic: 'v2.detail.events.conversation.2f7bf00a-0fc2-4d6a-9b56-92238191433e.customer.end',
      park_reason: 'exhausted',
    },
    '2026-01-02T10:00:00Z',
  );

  it('match on every given field', () => {
    expect(matchesFilter({}, parked)).toBe(true);
    const anyEnd = 'v2.detail.events.conversation.{id}.customer.end';
    const anyStart = 'v2.detail.events.conversation.*.customer.start';
    expect(matchesFilter({ topic: anyEnd }, parked)).toBe(true);
    expect(matchesFilter({ topic: anyStart }, parked)).toBe(false);
    expect(matchesFilter({ reason: 'exhausted', eventId: 'e1' }, parked)).toBe(true);
    expect(matchesFilter({ reason: 'permanent' }, parked)).toBe(false);
    expect(matchesFilter({ since: new Date('2026-01-02T10:00:00Z') }, parked)).toBe(true);
    expect(matchesFilter({ since: new Date('2026-01-02T10:00:01Z') }, parked)).toBe(false);
  });

  it('read times, spans and reasons, and refuse what they cannot read', () => {
    const now = new Date('2026-01-02T12:00:00Z');
    expect(parseSince('2h', now).toISOString()).toBe('2026-01-02T10:00:00.000Z');
    expect(parseSince('2026-01-01T00:00:00Z').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseSince('yesterday')).toThrow(/--since "yesterday"/);
    expect(() => parseFilter({ reason: 'tired' })).toThrow(/--reason must be one of/);
    expect(topicMatches('a.{id}.c', 'a.b.c.d')).toBe(false);
    expect(topicPattern(parked.attributes.topic)).toBe(
      'v2.detail.events.conversation.{id}.customer.end',
    );
  });
});

describe('masking personal data', () => {
  it('keeps ids, times and types; masks names, numbers and free text', () => {
    const masked = maskPersonalData({
      conversationId: 'c-1',
      eventTime: 1649237504949,
      mediaType: 'CALLBACK',
      ani: 'tel:+15551234567',
      callbackNumbers: ['+15551234567'],
      address: { street: 'Main St 1', city: 'Springfield' },
      interactingDurationMs: 500,
      wrapUp: { notes: 'customer was upset' },
      consented: true,
    });

    expect(masked).toEqual({
      conversationId: 'c-1',
      eventTime: 1649237504949,
      mediaType: 'CALLBACK',
      ani: MASK,
      callbackNumbers: [MASK],
      address: { street: MASK, city: MASK },
      interactingDurationMs: 500,
      wrapUp: { notes: MASK },
      consented: true,
    });
  });

  it('leaves the published samples recognisable', () => {
    const sample = sampleJson('eventBridgeEnd');
    const masked = maskPersonalData(sample) as typeof sample;
    expect(masked.id).toBe(sample.id);
    expect(masked['detail-type']).toBe(sample['detail-type']);
    expect(showBody('not json', false)).toBe(`${MASK} (8 bytes, not JSON)`);
    expect(showBody('not json', true)).toBe('not json');
  });
});
