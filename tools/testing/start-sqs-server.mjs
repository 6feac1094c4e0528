// Starts tools/sqs-server/serve.mjs as a child process and resolves once it listens.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../sqs-server/serve.mjs', import.meta.url));

/** @returns {Promise<{ endpoint: string, child: import('node:child_process').ChildProcess }>} */
export function startSqsServer({ port = 0 } = {}) {
  const child = spawn(process.execPath, [script, '--port', String(port), '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`SQS server exited with code ${code}`)));
    lines.once('line', (line) => {
      const { endpoint } = JSON.parse(line);
      resolve({ endpoint, child });
    });
  });
}
