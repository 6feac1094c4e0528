// Benchmarks 1 and 2: the receiver's enqueue path (downstream answering 503, every event stored
// on the DLQ) against a bare Express handler, and its forward path (downstream answering 200)
// against calling the downstream directly. Subject and baseline run back to back, in turns.
import { join } from 'node:path';
import {
  Child,
  createQueuePair,
  Downstream,
  purgeQueue,
  sqsEnv,
  startReceiver,
} from './harness.mjs';
import { loadRun } from './load.mjs';

const WEBHOOK_PATH = '/webhooks/genesys';
const FIXED_RATE = 200;
const FIXED_CONNECTIONS = 8;
const SATURATION_CONNECTIONS = 20;

export async function benchReceiver({ bundles, sqs, seconds, passes, log }) {
  const downstream = await Downstream.start('bench-downstream');
  const bare = new Child('bare-express', join(import.meta.dirname, 'servers', 'bare-express.mjs'));
  const { url: bareOrigin } = await bare.waitForJsonLine((line) => 'url' in line, 15_000);
  const queues = await createQueuePair(sqs.client, { prefix: 'bench-receiver' });
  const receiver = await startReceiver(bundles, {
    ...sqsEnv(sqs.endpoint),
    DLQ_QUEUE_NAME: queues.dlqName,
    DOWNSTREAM_URL: downstream.url,
  });

  const receiverTarget = { origin: receiver.url, path: WEBHOOK_PATH };
  const bareTarget = { origin: bareOrigin, path: WEBHOOK_PATH };
  const directTarget = { origin: new URL(downstream.url).origin, path: '/events' };
  const fixed = { seconds, connections: FIXED_CONNECTIONS, rate: FIXED_RATE };
  const saturation = { seconds, connections: SATURATION_CONNECTIONS };

  log('warming up the receiver and the bare handler');
  await downstream.setMode({ failPercent: 100 });
  const warmUp = { seconds: Math.min(3, seconds), connections: SATURATION_CONNECTIONS };
  await loadRun({ ...receiverTarget, ...warmUp });
  await loadRun({ ...bareTarget, ...warmUp });

  const pairs = {
    enqueueFixed: [],
    enqueueSaturation: [],
    forwardFixed: [],
    forwardSaturation: [],
  };
  for (let pass = 1; pass <= passes; pass += 1) {
    log(`enqueue path (downstream 503), pass ${pass}`);
    // Which of the two goes first alternates between passes, so drift in the machine's load
    // does not always favour the same side.
    const subjectFirst = pass % 2 === 0;
    await downstream.setMode({ failPercent: 100 });
    // Each run starts on an empty DLQ, so no run stores onto a queue its predecessors filled.
    await purgeQueue(sqs.client, queues.dlqUrl);
    pairs.enqueueFixed.push(await pair(receiverTarget, bareTarget, fixed, subjectFirst));
    await purgeQueue(sqs.client, queues.dlqUrl);
    pairs.enqueueSaturation.push(await pair(receiverTarget, bareTarget, saturation, subjectFirst));

    log(`forward path (downstream 200), pass ${pass}`);
    await downstream.setMode({});
    pairs.forwardFixed.push(await pair(receiverTarget, directTarget, fixed, subjectFirst));
    pairs.forwardSaturation.push(
      await pair(receiverTarget, directTarget, saturation, subjectFirst),
    );
  }

  const peakRssKib = {
    receiver: await receiver.child.peakRssKib(),
    bareExpress: await bare.peakRssKib(),
  };
  await Promise.all([receiver.child.stop(), bare.stop(), downstream.child.stop()]);
  return { pairs, peakRssKib, settings: { fixed, saturation } };
}

/** The subject and its baseline under the same load, one right after the other. */
async function pair(subjectTarget, baselineTarget, settings, subjectFirst) {
  if (subjectFirst) {
    const subject = await loadRun({ ...subjectTarget, ...settings });
    const baseline = await loadRun({ ...baselineTarget, ...settings });
    return { subject, baseline };
  }
  const baseline = await loadRun({ ...baselineTarget, ...settings });
  const subject = await loadRun({ ...subjectTarget, ...settings });
  return { subject, baseline };
}
