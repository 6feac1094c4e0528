// Sends events to the receiver the way an EventBridge API destination does: every event until
// the receiver acknowledges it (2xx), retrying 401, 407, 409, 429, 5xx, timeouts and lost
// connections after a growing delay; any other answer is final. The requests themselves are
// made by autocannon; this keeps the ledger of what each event got.
import autocannon from 'autocannon';
import { sleep } from './children.mjs';

const RETRIED_STATUSES = new Set([401, 407, 409, 429]);
const REQUEST_TIMEOUT_SECONDS = 10;
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 8000;

/**
 * One request to make. `kind: 'event'` must end acknowledged; `kind: 'bad'` is sent once and
 * its answer kept for the scenario to judge.
 */
export function eventRequest(event, { path = '/webhooks/genesys', headers = {} } = {}) {
  return { kind: 'event', id: event.id, path, headers, body: event.body };
}

export function badRequest(
  id,
  { method = 'POST', path = '/webhooks/genesys', headers = {}, body, expect },
) {
  return { kind: 'bad', id, method, path, headers, body, expect };
}

export class Sender {
  /**
   * `origin`: the receiver's base URL; `headers`: sent with every request (after a JSON
   * Content-Type) unless a request overrides them.
   */
  constructor(origin, headers = {}) {
    this.origin = origin;
    this.headers = { 'content-type': 'application/json', ...headers };
    /** id → the request and what became of it. */
    this.items = new Map();
    this.unsent = [];
    this.nextUnsent = 0;
    /** Retries waiting for their time, soonest first: { id, dueAt }. */
    this.retries = [];
    /** id → when it was sent, for requests not answered yet. */
    this.outstanding = new Map();
    /** HTTP status (or "no answer") → how many answers. */
    this.answers = new Map();
    this.answerCount = 0;
  }

  /** Resolves once `count` answers have come back in all, so a fault can land mid-load. */
  async answersReach(count) {
    while (this.answerCount < count) await sleep(50);
  }

  /** Queues requests to send, in this order. */
  add(requests) {
    for (const request of requests) {
      const item = { ...request, tries: 0, acked: false, final: undefined, replies: [] };
      this.items.set(item.id, item);
      this.unsent.push(item);
    }
  }

  /**
   * Makes `amount` requests, at most `rate` per second overall (autocannon spreads it over
   * the connections, in bursts each second): retries as they fall due, ahead of the requests
   * not sent yet, in the order they were added. A connection with nothing due asks for
   * /healthz instead. Resolves once every request has been answered or has timed out.
   */
  async run({ rate, amount, connections = 10 }) {
    const sweep = setInterval(() => this.sweepTimeouts(), 500);
    try {
      const result = await autocannon({
        url: this.origin,
        connections: Math.max(1, Math.min(connections, amount)),
        amount,
        // autocannon rejects a key given as undefined.
        ...(rate ? { overallRate: rate } : {}),
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: [
          {
            method: 'POST',
            setupRequest: (request, context) => this.setup(request, context),
            onResponse: (status, body, context) => this.answered(context.id, status, body),
          },
        ],
      });
      return result;
    } finally {
      clearInterval(sweep);
      // A request autocannon gave up on has no answer: a retry, as for any timeout.
      for (const id of [...this.outstanding.keys()]) this.failedTry(id, 'no answer', 0);
    }
  }

  /**
   * Retries every event not yet acknowledged until each is, or `timeoutMs` passes. Requests
   * given a final answer (a 4xx other than the retried ones) are not sent again.
   */
  async settle({ timeoutMs, connections = 10 }) {
    const deadline = Date.now() + timeoutMs;
    while (this.pending().length > 0 && Date.now() < deadline) {
      const due = this.retries.filter((retry) => retry.dueAt <= Date.now()).length;
      const waiting = this.unsent.length - this.nextUnsent;
      if (due + waiting === 0) {
        const soonest = this.retries[0]?.dueAt ?? Date.now() + 200;
        await sleep(Math.max(20, Math.min(soonest - Date.now(), 200)));
        continue;
      }
      await this.run({ amount: due + waiting, connections });
    }
  }

  /** Events that must still be acknowledged and have had no final answer. */
  pending() {
    return [...this.items.values()].filter(
      (item) => item.kind === 'event' && !item.acked && item.final === undefined,
    );
  }

  /** Tallies for the scenario's line. */
  stats() {
    const events = [...this.items.values()].filter((item) => item.kind === 'event');
    return {
      sent: events.filter((item) => item.tries > 0).length,
      acknowledged: events.filter((item) => item.acked).length,
      refused: events.filter((item) => !item.acked && item.final !== undefined),
      unacknowledged: events.filter((item) => !item.acked),
      tries: events.reduce((sum, item) => sum + item.tries, 0),
      answers: Object.fromEntries([...this.answers].sort()),
    };
  }

  ackedIds() {
    return [...this.items.values()].filter((item) => item.acked).map((item) => item.id);
  }

  /**
   * autocannon hands the setup and the answer of one request the same `context`, a fresh one
   * for every request when `requests` holds a single entry: it carries the event's id.
   */
  setup(request, context) {
    const item = this.nextItem();
    if (!item) {
      context.id = undefined;
      return { ...request, method: 'GET', path: '/healthz', body: Buffer.alloc(0) };
    }
    context.id = item.id;
    item.tries += 1;
    this.outstanding.set(item.id, Date.now());
    // A header given as null in the request is left out (a missing credential, no type).
    const headers = Object.fromEntries(
      Object.entries({ ...this.headers, ...item.headers }).filter(([, value]) => value !== null),
    );
    const method = item.method ?? 'POST';
    return { ...request, method, path: item.path, headers, body: item.body };
  }

  nextItem() {
    while (this.retries.length > 0 && this.retries[0].dueAt <= Date.now()) {
      const item = this.items.get(this.retries.shift().id);
      // A late answer may have settled it since the retry was planned.
      if (!item.acked && item.final === undefined) return item;
    }
    if (this.nextUnsent < this.unsent.length) {
      const item = this.unsent[this.nextUnsent];
      this.nextUnsent += 1;
      return item;
    }
    return undefined;
  }

  answered(id, status, body) {
    if (id === undefined) return;
    this.outstanding.delete(id);
    this.answerCount += 1;
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
    const item = this.items.get(id);
    item.replies.push({ status, body: parseBody(body) });

    if (item.kind === 'bad') {
      item.final = status;
      return;
    }
    if (status >= 200 && status < 300) {
      item.acked = true;
      return;
    }
    if (status >= 500 || RETRIED_STATUSES.has(status)) this.failedTry(id, status);
    else item.final = status;
  }

  /** A try with no answer, or a retried answer: the event goes back in line after a delay. */
  failedTry(id, reason, delayMs) {
    this.outstanding.delete(id);
    const item = this.items.get(id);
    if (reason === 'no answer') {
      this.answers.set(reason, (this.answers.get(reason) ?? 0) + 1);
      item.replies.push({ status: reason });
    }
    if (item.kind === 'bad') {
      item.final = reason;
      return;
    }
    if (item.acked) return;
    // Doubling from half a second, with jitter, as API destinations back off.
    const step = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, item.tries - 1));
    const dueAt = Date.now() + (delayMs ?? step * (0.5 + Math.random() / 2));
    const at = this.retries.findIndex((retry) => retry.dueAt > dueAt);
    this.retries.splice(at === -1 ? this.retries.length : at, 0, { id, dueAt });
  }

  sweepTimeouts() {
    const limit = Date.now() - (REQUEST_TIMEOUT_SECONDS + 1) * 1000;
    for (const [id, sentAt] of this.outstanding) {
      if (sentAt < limit) this.failedTry(id, 'no answer');
    }
  }
}

function parseBody(body) {
  try {
    return JSON.parse(body);
  } catch {
    return typeof body === 'string' ? body.slice(0, 200) : undefined;
  }
}
