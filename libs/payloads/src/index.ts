export { canonicalJson } from './canonical-json';
export {
  ageClockStart,
  type AttemptOutcome,
  type AttemptRecord,
  attemptsInBudget,
  type BodyRef,
  bodyRefSchema,
  createEnvelope,
  decodeEnvelope,
  type DlqEnvelope,
  dlqEnvelopeSchema,
  encodeEnvelope,
  ENVELOPE_SCHEMA_VERSION,
  envelopeBody,
  lastAttempt,
  lastReplay,
  nextAttemptNumber,
  type ReplayRecord,
  withAttempt,
  withBodyRef,
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
  PROBE_TOPIC,
} from './shapes';
