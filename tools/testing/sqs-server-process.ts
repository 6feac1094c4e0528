import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface SqsServerProcess {
  endpoint: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts tools/sqs-server/serve.mjs in its own process on a free port and resolves once it
 * listens. It exits by itself when this process dies (its stdin closes).
 */
export function startSqsServer(): Promise<SqsServerProcess> {
  const script = join(__dirname, '..', 'sqs-server', 'serve.mjs');
  const child = spawn(process.execPath, [script, '--port', '0', '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the SQS server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      resolve({ endpoint, child, stop });
    });
  });
}
