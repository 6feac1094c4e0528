import { Command } from 'commander';
import { createSqsClient, type QueueDepth, SqsQueue } from '@webhook-dlq/sqs';
import { loadAdminConfig } from './config';

export interface CliIo {
  out: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** The `genesys-admin` command line. Genesys commands join it later; DLQ commands start here. */
export function buildCli(io: CliIo, version: string): Command {
  const program = new Command('genesys-admin')
    .description('Operate the Genesys webhook DLQ: inspect the retry and parking queues.')
    .version(version)
    .showHelpAfterError();

  const dlq = program.command('dlq').description('the retry queue (DLQ) and the parking queue');

  dlq
    .command('stats')
    .description('depth and in-flight count of the DLQ and the parking queue')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const config = loadAdminConfig(io.env);
      const client = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
      const depths: Record<string, QueueDepth> = {};
      for (const [role, name] of [
        ['dlq', config.DLQ_QUEUE_NAME],
        ['parked', config.PARKING_QUEUE_NAME],
      ] as const) {
        depths[role] = await (await SqsQueue.resolve(client, name)).depth();
      }

      if (options.json) {
        io.out(JSON.stringify(depths));
        return;
      }
      io.out('queue   visible  in-flight  delayed');
      for (const [role, depth] of Object.entries(depths)) {
        io.out(
          `${role.padEnd(7)} ${String(depth.visible).padStart(7)}  ${String(depth.inFlight).padStart(9)}` +
            `  ${String(depth.delayed).padStart(7)}`,
        );
      }
    });

  return program;
}
