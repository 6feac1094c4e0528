import { startSqsServer, type SqsServerProcess } from './sqs-server-process';

// One local SQS server per test run, in its own process; every test makes its own queues.
// The endpoint reaches the test files through TEST_SQS_ENDPOINT.
export default async function setup(): Promise<void> {
  const server = await startSqsServer();
  process.env.TEST_SQS_ENDPOINT = server.endpoint;
  (globalThis as { testSqsServer?: SqsServerProcess }).testSqsServer = server;
}
