export { canonicalJson } from './canonical-json';
export {
  type AttemptOutcome,
  type AttemptRecord,
  createEnvelope,
  decodeEnvelope,
  type DlqEnvelope,
  dlqEnvelopeSchema,
  encodeEnvelope,
  ENVELOPE_SCHEMA_VERSION,
  envelopeBody,
  lastAttempt,
  nextAttemptNumber,
  withAttempt,
} from './envelope';
export { EnvelopeError, PayloadError, type PayloadErrorCode } from './errors';
export {
  eventIdFor,
  type NormalizedEvent,
  normalizeEvent,
  parseEventTime,
  type RawEvent,
} from './normalize';
export {
  type BodyShape,
  detectShape,
  type EventBridgeEvent,
  eventBridgeEventSchema,
  eventBodySchema,
  type GenesysEventBody,
  type GenesysNotification,
  notificationSchema,
} from './shapes';
