import { describeError } from '@webhook-dlq/runtime';
import { buildCli } from './cli';

const VERSION = '0.1.0';

buildCli({ out: (text) => process.stdout.write(`${text}\n`), env: process.env }, VERSION)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`genesys-admin: ${describeError(error)}\n`);
    process.exitCode = 1;
  });
