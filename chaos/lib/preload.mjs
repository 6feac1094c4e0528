// Fills the DLQ the way production does: events sent to the receiver while the downstream
// fails, so each is acknowledged with 202 and stored as the receiver's own envelope.
import { CALLER_HEADERS } from '../harness/apps.mjs';
import { eventFactory } from '../harness/events.mjs';
import { eventRequest, Sender } from '../harness/sender.mjs';

/** Resolves with the sender, which holds the ledger of what was acknowledged. */
export async function queueThroughReceiver(pipeline, { events, prefix, rate = 200 }) {
  await pipeline.downstream.setMode({ failPercent: 100 });
  const sender = new Sender(pipeline.receiver.url, CALLER_HEADERS);
  const makeEvent = eventFactory(`${prefix}-${Date.now()}`);
  sender.add(Array.from({ length: events }, (_, n) => eventRequest(makeEvent(n))));
  await sender.run({ rate, amount: events });
  await sender.settle({ timeoutMs: 30_000 });
  // The receiver's own try failed: forget it, so the downstream's count is the workers'.
  await pipeline.downstream.reset();
  return sender;
}
