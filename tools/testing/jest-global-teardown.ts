import type { SqsServerProcess } from './sqs-server-process';

export default async function teardown(): Promise<void> {
  await (globalThis as { testSqsServer?: SqsServerProcess }).testSqsServer?.stop();
}
