import { Command } from 'commander';
import { addDlqCommands } from './dlq/commands';
import { addGenesysCommands } from './genesys/commands';
import type { CliIo } from './io';
import { addServeCommand } from './serve/command';

/** The `genesys-admin` command line: Genesys set-up and checks, DLQ operations, `serve`. */
export function buildCli(io: CliIo, version: string): Command {
  const program = new Command('genesys-admin')
    .description(
      'Operate the Genesys webhook DLQ: check and set up how Genesys sends events, and ' +
        'inspect, replay or purge what waits in the retry and parking queues.',
    )
    .version(version)
    .showHelpAfterError();

  addGenesysCommands(program, io);
  addDlqCommands(program, io);
  addServeCommand(program, io);
  return program;
}
