import { attemptsInBudget, type DlqEnvelope, lastAttempt } from '@webhook-dlq/payloads';
import { type BackoffSettings, retryDelaySeconds } from './backoff';

/** Why an event stopped being retried. Travels with the parked message as `park_reason`. */
export type ParkReason = 'permanent' | 'exhausted' | 'unreadable';

export interface RetryPolicy extends BackoffSettings {
  /** Tries per event, the receiver's included; a replay from the parking queue starts afresh. */
  maxAttempts: number;
}

/**
 * What to do with a DLQ message. `deliver` is only ever the answer before a try;
 * after a try the answer is one of the other three.
 */
export type Decision =
  | { action: 'deliver' }
  | { action: 'delete' }
  | { action: 'retry'; delaySeconds: number }
  | { action: 'park'; reason: ParkReason };

/**
 * The one place that turns an envelope's history into an action.
 *
 * - `received`: the message just came off the DLQ. Deliver it, unless its history already
 *   rules that out: a permanent failure (recorded by the receiver) or no tries left → park.
 * - `attempted`: a try has just been appended. Delivered → delete; permanent → park;
 *   retryable → retry later with backoff, or park once `maxAttempts` tries have been made.
 */
export function decide(
  envelope: DlqEnvelope,
  phase: 'received' | 'attempted',
  policy: RetryPolicy,
): Decision {
  const last = lastAttempt(envelope);
  const triesMade = attemptsInBudget(envelope);

  if (last?.outcome === 'delivered') return { action: 'delete' };
  if (last?.outcome === 'permanent') return { action: 'park', reason: 'permanent' };
  if (triesMade >= policy.maxAttempts) return { action: 'park', reason: 'exhausted' };
  if (phase === 'received') return { action: 'deliver' };

  return {
    action: 'retry',
    delaySeconds: retryDelaySeconds(triesMade + 1, policy, last?.retryAfterSeconds),
  };
}
