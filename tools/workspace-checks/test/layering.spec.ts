import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

interface LintResult {
  messages: Array<{ ruleId: string | null; message: string }>;
}

/**
 * Lints `code` as if it were the file at `path`, with the workspace's own ESLint config run
 * by the ESLint command line, and returns the layering rule's messages.
 */
function boundaryErrors(path: string, code: string): string[] {
  const eslint = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(
    process.execPath,
    [eslint, '--format', 'json', '--stdin', '--stdin-filename', path],
    { cwd: root, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  const [result] = JSON.parse(run.stdout) as LintResult[];
  return result.messages
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('layering, enforced by lint', () => {
  jest.setTimeout(60_000);

  it('fails an app that imports another app', () => {
    const errors = boundaryErrors(
      'apps/receiver/src/probe.ts',
      "import { DlqWorker } from '../../dlq-worker/src/worker';\nexport const probe = DlqWorker;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('fails a lib that imports an app', () => {
    const errors = boundaryErrors(
      'libs/sqs/src/probe.ts',
      "import { ingest } from '../../../apps/receiver/src/ingest';\nexport const probe = ingest;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('fails the payloads lib importing any other lib', () => {
    const errors = boundaryErrors(
      'libs/payloads/src/probe.ts',
      "import { SqsQueue } from '@webhook-dlq/sqs';\nexport const probe = SqsQueue;\n",
    );
    expect(errors).toEqual([expect.stringContaining('layer:core')]);
  });

  it('allows an app to import a lib through its public path', () => {
    const errors = boundaryErrors(
      'apps/receiver/src/probe.ts',
      "import { SqsQueue } from '@webhook-dlq/sqs';\nexport const probe = SqsQueue;\n",
    );
    expect(errors).toEqual([]);
  });
});
