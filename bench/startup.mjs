// Benchmark 4, second half: time from process start to ready, for the receiver and the worker
// against the bare Express app: spawn → first 200 from the readiness path, polled every 10 ms
// (/healthz for the bare app). Ready means more for the apps: the receiver has resolved the
// DLQ, the worker both queues, each with a call to the local SQS server.
import { join } from 'node:path';
import {
  Child,
  createQueuePair,
  freePort,
  sqsEnv,
  startReceiver,
  startWorker,
  waitForOk,
} from './harness.mjs';

const POLL_MS = 10;

export async function benchStartup({ bundles, sqs, times }) {
  const queues = await createQueuePair(sqs.client, { prefix: 'bench-startup' });
  const env = {
    ...sqsEnv(sqs.endpoint),
    DLQ_QUEUE_NAME: queues.dlqName,
    PARKING_QUEUE_NAME: queues.parkingName,
    // Never called: nothing is sent while these run.
    DOWNSTREAM_URL: 'http://127.0.0.1:9/events',
  };
  const readyMs = { bareExpress: [], receiver: [], worker: [] };
  for (let n = 0; n < times; n += 1) {
    readyMs.bareExpress.push(await bareExpressReadyMs());

    const receiver = await startReceiver(bundles, env);
    readyMs.receiver.push(receiver.readyMs);
    await receiver.child.stop();

    const worker = await startWorker(bundles, env);
    readyMs.worker.push(worker.readyMs);
    await worker.child.kill();
  }
  return readyMs;
}

async function bareExpressReadyMs() {
  const port = await freePort();
  const child = new Child(
    'bare-express',
    join(import.meta.dirname, 'servers', 'bare-express.mjs'),
    {
      env: { PORT: String(port) },
    },
  );
  await waitForOk(`http://127.0.0.1:${port}/healthz`, child, 15_000, POLL_MS);
  const readyMs = performance.now() - child.startedAt;
  await child.stop();
  return readyMs;
}
