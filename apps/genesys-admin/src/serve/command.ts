import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { closeHttpServer, createLogger, type Logger } from '@webhook-dlq/runtime';
import type { QueueDepth, SqsQueue } from '@webhook-dlq/sqs';
import { listOf, loadServeConfig, type ServeConfig } from '../config';
import { openQueues } from '../dlq/queues';
import { genesysClientFor } from '../genesys/commands';
import { verifyGenesys } from '../genesys/verify';
import type { CliIo } from '../io';
import { StatusMonitor } from './monitor';
import { createServeApp } from './server';

export interface RunningServe {
  url: string;
  monitor: StatusMonitor;
  stop(): Promise<void>;
}

export function addServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'keep running: verify every VERIFY_INTERVAL_SECONDS and read queue depths; ' +
        'serve /healthz, /status and /metrics on PORT',
    )
    .action(async () => {
      const config = loadServeConfig(io.env);
      const logger = createLogger({
        service: 'genesys-admin',
        level: config.LOG_LEVEL,
        secrets: [config.GENESYS_CLIENT_SECRET],
      });
      const running = await startServe(config, logger);

      await new Promise<void>((resolve) => {
        const stopListening = io.onInterrupt?.(() => {
          stopListening?.();
          resolve();
        });
      });
      logger.info('genesys-admin stopping');
      await running.stop();
      logger.info('genesys-admin stopped');
    });
}

/** Starts the monitor and its HTTP server; `stop` ends both. */
export async function startServe(config: ServeConfig, logger: Logger): Promise<RunningServe> {
  const client = genesysClientFor(config, logger, (note) => logger.warn(note));
  const options = {
    receiverUrl: config.RECEIVER_URL,
    topics: listOf(config.GENESYS_TOPICS),
    triggerPrefix: config.GENESYS_TRIGGER_PREFIX,
  };

  // Resolved on first use and kept: the queues may appear after this starts.
  let queues: { dlq: SqsQueue; parked: SqsQueue } | undefined;
  const depths = async (): Promise<Record<string, QueueDepth>> => {
    queues ??= await openQueues(config);
    return { dlq: await queues.dlq.depth(), parked: await queues.parked.depth() };
  };

  const monitor = new StatusMonitor({
    verify: () => verifyGenesys(client, options),
    depths,
    logger,
    intervalMs: config.VERIFY_INTERVAL_SECONDS * 1000,
  });
  const server: Server = createServeApp(monitor).listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const url = `http://${config.HOST}:${(server.address() as AddressInfo).port}`;
  logger.info('genesys-admin serving', {
    address: url,
    verify_interval_seconds: config.VERIFY_INTERVAL_SECONDS,
    receiver_url: options.receiverUrl,
    genesys: client.target,
    dlq_queue: config.DLQ_QUEUE_NAME,
    parking_queue: config.PARKING_QUEUE_NAME,
    sqs_endpoint: config.SQS_ENDPOINT ?? 'AWS',
  });
  monitor.start();

  return {
    url,
    monitor,
    stop: async () => {
      await monitor.stop();
      await closeHttpServer(server, config.SHUTDOWN_GRACE_SECONDS * 1000);
    },
  };
}
