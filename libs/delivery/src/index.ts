export {
  attemptDelivery,
  type DeliveryRequest,
  type DeliveryResult,
  toAttemptRecord,
} from './attempt';
export { classifyStatus, parseRetryAfter } from './classify';
