// Jest global setup: one local SQS server per test run, in its own process. Every test makes
// its own queues on it. The endpoint reaches the tests through TEST_SQS_ENDPOINT.
import { startSqsServer } from './start-sqs-server.mjs';

export default async function setup() {
  const { endpoint, child } = await startSqsServer();
  process.env.TEST_SQS_ENDPOINT = endpoint;
  globalThis.__testSqsServer = child;
}
