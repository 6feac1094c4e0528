// Distinct Genesys events for load: the published EventBridge sample (customer.end, ~1.2 KB)
// with its `id` replaced, which is the event id the receiver derives and the Idempotency-Key
// the downstream sees.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './children.mjs';

const SAMPLE_FILE = join(
  REPO_ROOT,
  'test-fixtures',
  'genesys',
  'eventbridge__v2.detail.events.conversation.ID.customer.end.json',
);

const MARKER = '\u0000event-id\u0000';

/** `makeEvent(n)` → `{ id, body }`, the n-th event of a run whose ids start with `prefix`. */
export function eventFactory(prefix) {
  const sample = JSON.parse(readFileSync(SAMPLE_FILE, 'utf8'));
  // Built from two halves around the id, so making an event costs a string concatenation
  // and not a JSON round trip inside the load generator.
  const [head, tail] = JSON.stringify({ ...sample, id: MARKER }, null, 2).split(
    JSON.stringify(MARKER),
  );
  return (n) => {
    const id = `${prefix}-${n}`;
    return { id, body: `${head}${JSON.stringify(id)}${tail}` };
  };
}

/** The sample itself, parsed, for requests built from it. */
export function sampleEvent() {
  return JSON.parse(readFileSync(SAMPLE_FILE, 'utf8'));
}
