// Benchmark 3: how fast N messages on the DLQ reach a downstream answering 200, for the
// dlq-worker (1, 2 and 4 processes), a bare receive → deliver → batch-delete loop (the
// ceiling) and a consumer on the `sqs-consumer` library (defaults, and batchSize 10).
//
// Every consumer drains the same messages: envelopes the receiver itself stored, copied onto
// a fresh queue, held invisible while the consumer starts, then released all at once. The rate
// runs from the downstream's first call to the moment the queue is empty. The ceiling is
// measured again right before every other consumer.
import { join } from 'node:path';
import {
  Child,
  createQueuePair,
  Downstream,
  queueDepth,
  receiveAll,
  releaseAll,
  sendCopies,
  sleep,
  sqsEnv,
  startReceiver,
  startWorker,
} from './harness.mjs';
import { loadRun } from './load.mjs';

const SERVERS = join(import.meta.dirname, 'servers');
const CEILING_LOOPS = 8;
const HOLD_SECONDS = 300;

/** The consumers measured, each a way of starting its processes on a queue. */
const CONSUMERS = [
  { key: 'ceiling', label: 'bare receive → deliver → batch delete (8 loops)', processes: 1 },
  { key: 'sqsConsumerDefaults', label: 'sqs-consumer, defaults', processes: 1 },
  { key: 'sqsConsumerBatch10', label: 'sqs-consumer, batchSize 10', processes: 1 },
  { key: 'worker1', label: 'dlq-worker × 1', processes: 1 },
  { key: 'worker2', label: 'dlq-worker × 2', processes: 2 },
  { key: 'worker4', label: 'dlq-worker × 4', processes: 4 },
];

export async function benchDrain({ bundles, sqs, events, passes, log }) {
  const downstream = await Downstream.start('drain-downstream');
  log(`storing ${events} events through the receiver (downstream 503)`);
  const envelopes = await envelopesFromReceiver({ bundles, sqs, downstream, events });
  await downstream.setMode({});

  const runs = Object.fromEntries(CONSUMERS.map((consumer) => [consumer.key, []]));
  const drain = async (consumer, pass) => {
    const run = await drainOnce({ consumer, bundles, sqs, downstream, envelopes });
    log(
      `${consumer.label}: ${Math.round(run.messagesPerSecond)} msg/s ` +
        `(${run.calls} calls for ${envelopes.length} messages), pass ${pass}`,
    );
    runs[consumer.key].push(run);
    return run;
  };
  const [ceiling, ...others] = CONSUMERS;
  for (let pass = 1; pass <= passes; pass += 1) {
    // The ceiling runs again right before each consumer, and each consumer's ratio is to
    // that run: the machine's other load changes from one minute to the next.
    for (const consumer of others) {
      const { messagesPerSecond } = await drain(ceiling, pass);
      (await drain(consumer, pass)).ceilingMessagesPerSecond = messagesPerSecond;
    }
  }
  await downstream.child.stop();
  return { consumers: CONSUMERS, runs, events: envelopes.length };
}

async function envelopesFromReceiver({ bundles, sqs, downstream, events }) {
  await downstream.setMode({ failPercent: 100 });
  const queues = await createQueuePair(sqs.client, { prefix: 'bench-template' });
  const receiver = await startReceiver(bundles, {
    ...sqsEnv(sqs.endpoint),
    DLQ_QUEUE_NAME: queues.dlqName,
    DOWNSTREAM_URL: downstream.url,
    FIRST_RETRY_DELAY_SECONDS: '0',
  });
  const result = await loadRun({
    origin: receiver.url,
    path: '/webhooks/genesys',
    amount: events,
    connections: 10,
  });
  await receiver.child.stop();
  if ((result.statuses[202] ?? 0) !== events) {
    throw new Error(`the receiver stored ${result.statuses[202] ?? 0} of ${events} events`);
  }
  return receiveAll(sqs.client, queues.dlqUrl, { remove: true });
}

async function drainOnce({ consumer, bundles, sqs, downstream, envelopes }) {
  const queues = await createQueuePair(sqs.client, { prefix: `bench-${consumer.key}` });
  await sendCopies(sqs.client, queues.dlqUrl, envelopes);
  const held = await receiveAll(sqs.client, queues.dlqUrl, { holdSeconds: HOLD_SECONDS });
  if (held.length !== envelopes.length) {
    throw new Error(`preload: ${held.length} of ${envelopes.length} messages on the queue`);
  }
  await downstream.reset();

  const children = await startConsumer(consumer, { bundles, sqs, queues, downstream });
  await releaseAll(sqs.client, queues.dlqUrl, held);

  const drained = await waitUntilDrained(sqs.client, queues.dlqUrl, downstream, envelopes.length);
  const peakRssKib = await Promise.all(children.map((child) => child.peakRssKib()));
  // The queue is empty and thrown away: no need to wait out a worker's 20 s long poll.
  await Promise.all(children.map((child) => child.kill()));
  const summary = await downstream.summary();
  return {
    messagesPerSecond: envelopes.length / ((drained.doneAt - summary.firstCallAt) / 1000),
    calls: summary.calls,
    duplicateCalls: summary.duplicateOk,
    peakRssKib,
  };
}

async function startConsumer(consumer, { bundles, sqs, queues, downstream }) {
  const env = { ...sqsEnv(sqs.endpoint), DOWNSTREAM_URL: downstream.url };
  const script = (name) => join(SERVERS, name);
  const ready = async (child) => {
    await child.waitForJsonLine((line) => line.ready === true, 20_000);
    return child;
  };

  switch (consumer.key) {
    case 'ceiling':
      return [
        await ready(
          new Child('drain-loop', script('drain-loop.mjs'), {
            env: { ...env, QUEUE_URL: queues.dlqUrl, LOOPS: String(CEILING_LOOPS) },
          }),
        ),
      ];
    case 'sqsConsumerDefaults':
    case 'sqsConsumerBatch10':
      return [
        await ready(
          new Child('sqs-consumer', script('sqs-consumer-drain.mjs'), {
            env: {
              ...env,
              QUEUE_URL: queues.dlqUrl,
              ...(consumer.key === 'sqsConsumerBatch10' ? { BATCH_SIZE: '10' } : {}),
            },
          }),
        ),
      ];
    default: {
      const workerEnv = {
        ...env,
        DLQ_QUEUE_NAME: queues.dlqName,
        PARKING_QUEUE_NAME: queues.parkingName,
      };
      const workers = await Promise.all(
        Array.from({ length: consumer.processes }, (_, n) =>
          startWorker(bundles, workerEnv, `dlq-worker-${n + 1}`),
        ),
      );
      return workers.map((worker) => worker.child);
    }
  }
}

/** Resolves once the downstream has every message and the queue holds none. */
async function waitUntilDrained(client, url, downstream, count, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { uniqueOk } = await downstream.summary();
    if (uniqueOk >= count) {
      const depth = await queueDepth(client, url);
      if (depth.total === 0) return { doneAt: Date.now() };
    }
    await sleep(25);
  }
  throw new Error(`the queue was not drained within ${timeoutMs / 1000} s`);
}
