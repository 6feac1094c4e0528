import {
  ageClockStart,
  attemptsInBudget,
  type DlqEnvelope,
  lastAttempt,
} from '@webhook-dlq/payloads';
import { type BackoffSettings, retryDelaySeconds } from './backoff';

/** Why an event stopped being retried. Travels with the parked message as `park_reason`. */
export type ParkReason = 'permanent' | 'exhausted' | 'expired' | 'unreadable';

export interface RetryPolicy extends BackoffSettings {
  /** Tries per event, the receiver's included; a replay from the parking queue starts afresh. */
  maxAttempts: number;
  /** Oldest an event may get, counted from first receipt (or the newest replay). */
  maxEventAgeSeconds: number;
}

/** Where the message stands when a decision is asked for. */
export type Situation =
  /** Just received from the DLQ; `deliveredRecently` when this process delivered its event. */
  | { kind: 'received'; now: Date; deliveredRecently: boolean }
  /** A try has just been appended to the envelope. */
  | { kind: 'attempted'; now: Date }
  /** No try was made: the worker is shutting down, or the circuit breaker is open. */
  | { kind: 'not_attempted'; reason: 'shutdown' | 'breaker_open'; retryInSeconds: number };

/**
 * What to do with a DLQ message:
 * - `deliver`: make a try now (only ever answered to `received`);
 * - `delete`: it is done (`delivered`, or a `duplicate` of an event this process delivered);
 * - `retry`: re-send the envelope, history included, to be tried again after `delaySeconds`;
 * - `park`: move it to the parking queue for a person;
 * - `hold`: leave it on the DLQ, hidden for `seconds`, without counting a try.
 */
export type Decision =
  | { action: 'deliver' }
  | { action: 'delete'; reason: 'delivered' | 'duplicate' }
  | { action: 'retry'; delaySeconds: number }
  | { action: 'park'; reason: ParkReason }
  | { action: 'hold'; seconds: number; reason: 'not_before' | 'shutdown' | 'breaker_open' };

/** The one place that turns an envelope's history and the moment into an action. */
export function decide(envelope: DlqEnvelope, situation: Situation, policy: RetryPolicy): Decision {
  if (situation.kind === 'not_attempted') {
    return { action: 'hold', seconds: situation.retryInSeconds, reason: situation.reason };
  }

  // A copy of an event this process has just delivered is done, whatever its own history says.
  if (situation.kind === 'received' && situation.deliveredRecently) {
    return { action: 'delete', reason: 'duplicate' };
  }

  const last = lastAttempt(envelope);
  if (last?.outcome === 'delivered') return { action: 'delete', reason: 'delivered' };
  if (last?.outcome === 'permanent') return { action: 'park', reason: 'permanent' };
  if (attemptsInBudget(envelope) >= policy.maxAttempts)
    return { action: 'park', reason: 'exhausted' };

  const { now } = situation;
  const ageSeconds = (now.getTime() - ageClockStart(envelope).getTime()) / 1000;
  if (ageSeconds >= policy.maxEventAgeSeconds) return { action: 'park', reason: 'expired' };

  if (situation.kind === 'received') {
    const waitSeconds = secondsUntil(envelope.notBefore, now);
    if (waitSeconds > 0) return { action: 'hold', seconds: waitSeconds, reason: 'not_before' };
    return { action: 'deliver' };
  }

  const nextAttempt = attemptsInBudget(envelope) + 1;
  return {
    action: 'retry',
    delaySeconds: retryDelaySeconds(nextAttempt, policy, last?.retryAfterSeconds),
  };
}

function secondsUntil(time: string | undefined, now: Date): number {
  if (!time) return 0;
  const millis = Date.parse(time) - now.getTime();
  return Number.isFinite(millis) && millis > 0 ? Math.ceil(millis / 1000) : 0;
}
