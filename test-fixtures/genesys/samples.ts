import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The published samples of event bodies, as files in this folder. */
export const SAMPLE_FILES = {
  eventBridgeStart: 'eventbridge__v2.detail.events.conversation.ID.customer.start.json',
  eventBridgeEnd: 'eventbridge__v2.detail.events.conversation.ID.customer.end.json',
  bareEventBody: 'processautomation__v2.detail.events.conversation.ID.customer.end__eventBody.json',
} as const;

export type SampleName = keyof typeof SAMPLE_FILES;

/** A sample's bytes exactly as published. */
export function sampleBytes(name: SampleName): Buffer {
  return readFileSync(join(__dirname, SAMPLE_FILES[name]));
}

export function sampleJson(name: SampleName): Record<string, unknown> {
  return JSON.parse(sampleBytes(name).toString('utf8'));
}

/** A bare notification as the Notifications API frames it: the `detail` of an EventBridge sample. */
export function notificationBytes(name: 'eventBridgeStart' | 'eventBridgeEnd' = 'eventBridgeEnd') {
  const detail = sampleJson(name)['detail'];
  return Buffer.from(JSON.stringify(detail, null, 2));
}

/** Topic of the bare eventBody sample, which carries none itself. */
export const BARE_BODY_TOPIC = 'v2.detail.events.conversation.conversationId.customer.end';

/**
 * Every shape Genesys sends, one request each: two EventBridge envelopes, a notification,
 * and a bare eventBody (posted to the topic route).
 */
export function allSampleRequests(): Array<{ label: string; body: Buffer; topic?: string }> {
  return [
    { label: 'eventbridge customer.start', body: sampleBytes('eventBridgeStart') },
    { label: 'eventbridge customer.end', body: sampleBytes('eventBridgeEnd') },
    { label: 'notification customer.end', body: notificationBytes('eventBridgeEnd') },
    { label: 'bare eventBody', body: sampleBytes('bareEventBody'), topic: BARE_BODY_TOPIC },
  ];
}
