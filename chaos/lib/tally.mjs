// The end of every scenario: wait until the DLQ is empty, then count each event by id — at the
// sender (sent, acknowledged), at the downstream (delivered, duplicate calls) and on the
// parking queue (parked). Lost: acknowledged and neither delivered nor parked.
import { sleep } from '../harness/children.mjs';
import { eventIdOf, queueDepth, receiveAll } from '../harness/sqs.mjs';

/**
 * Waits until nothing is left on the DLQ (in any state, twice in a row a second apart) or
 * `timeoutMs` passes, then counts. A message still on the DLQ at the deadline is counted lost:
 * the scenario gave the pipeline long enough.
 */
export async function settleAndCount(pipeline, sender, { timeoutMs, log }) {
  const deadline = Date.now() + timeoutMs;
  let emptyPolls = 0;
  let depth;
  for (let poll = 0; Date.now() < deadline; poll += 1) {
    depth = await queueDepth(pipeline.client, pipeline.queues.dlqUrl);
    emptyPolls = depth.total === 0 ? emptyPolls + 1 : 0;
    if (emptyPolls >= 2) break;
    if (poll % 5 === 0) log?.(`DLQ: ${JSON.stringify(depth)}`);
    await sleep(1000);
  }
  return count(pipeline, sender, depth);
}

async function count(pipeline, sender, depth) {
  const parkedMessages = await receiveAll(pipeline.client, pipeline.queues.parkingUrl);
  const parkedIds = new Set(parkedMessages.map(eventIdOf));
  const { events: calls } = await pipeline.downstream.counts();
  const stats = sender.stats();

  const goodIds = new Set(
    [...sender.items.values()].filter((item) => item.kind === 'event').map((item) => item.id),
  );
  let delivered = 0;
  let duplicateCalls = 0;
  const strangers = [];
  for (const [id, [ok]] of Object.entries(calls)) {
    if (!goodIds.has(id)) strangers.push(id);
    else if (ok > 0) delivered += 1;
    if (ok > 1) duplicateCalls += ok - 1;
  }
  const lostIds = sender.ackedIds().filter((id) => !(calls[id]?.[0] > 0) && !parkedIds.has(id));

  return {
    sent: stats.sent,
    acknowledged: stats.acknowledged,
    delivered,
    parked: [...parkedIds].filter((id) => goodIds.has(id)).length,
    lost: lostIds.length,
    duplicateCalls,
    // Beyond the line: what a failing scenario reports.
    lostIds,
    unacknowledged: stats.unacknowledged.map((item) => item.id),
    refused: stats.refused.map((item) => ({ id: item.id, status: item.final })),
    answers: stats.answers,
    tries: stats.tries,
    stillOnDlq: depth?.total ?? null,
    strangers,
    parkedReasons: countBy(
      parkedMessages.map((message) => message.MessageAttributes?.park_reason?.StringValue ?? '?'),
    ),
  };
}

function countBy(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
