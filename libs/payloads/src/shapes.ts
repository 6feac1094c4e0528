import { z } from 'zod';

/**
 * `metadata` of a Genesys notification. Only `CorrelationId` is read; other keys pass through.
 */
export const notificationMetadataSchema = z.looseObject({
  CorrelationId: z.string().min(1).optional(),
});

/** The body of one Genesys event, e.g. a `customer.end` conversation event. Free-form object. */
export const eventBodySchema = z.record(z.string(), z.unknown());

/**
 * A Genesys notification: what the Notifications API and the EventBridge integration carry
 * (`detail` of the EventBridge envelope).
 */
export const notificationSchema = z.looseObject({
  topicName: z.string().min(1).optional(),
  version: z.string().optional(),
  eventBody: eventBodySchema,
  metadata: notificationMetadataSchema.optional(),
  timestamp: z.string().optional(),
});

/** The envelope an EventBridge rule posts through an API destination. */
export const eventBridgeEventSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  time: z.string().optional(),
  detail: notificationSchema,
});

export type GenesysEventBody = z.infer<typeof eventBodySchema>;
export type GenesysNotification = z.infer<typeof notificationSchema>;
export type EventBridgeEvent = z.infer<typeof eventBridgeEventSchema>;

/** Which of the three bodies Genesys sends a request carried. */
export type BodyShape = 'eventbridge' | 'notification' | 'event-body';

/**
 * Tells the three bodies apart by their markers. An EventBridge envelope has `detail-type`
 * or both `detail` and `source`; a notification has `eventBody` or `topicName`; any other
 * object is a bare `eventBody` as a data action posts it.
 */
export function detectShape(body: Record<string, unknown>): BodyShape {
  if ('detail-type' in body || ('detail' in body && 'source' in body)) return 'eventbridge';
  if ('eventBody' in body || 'topicName' in body) return 'notification';
  return 'event-body';
}

/**
 * Reserved topic of the probe event `genesys-admin genesys test-fire` makes Genesys send. The
 * receiver answers it 200 and drops it, so a test never reaches the downstream.
 */
export const PROBE_TOPIC = 'genesys-admin.probe';
