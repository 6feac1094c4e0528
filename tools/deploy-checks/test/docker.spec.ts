import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as dockerfilelint } from 'dockerfilelint';
import { copyParts, DockerIgnore, execForm, parseDockerfile, type Stage } from '../src/dockerfile';
import { dockerfilePath } from '../src/image';
import { workspaceRoot } from '../src/paths';

const dockerfile = parseDockerfile(dockerfilePath);
const [build, runtime] = dockerfile.stages;

function last(stage: Stage, keyword: string) {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).pop();
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|API_?KEY|CREDENTIAL|PRIVATE/i;

describe('docker/Dockerfile', () => {
  it('passes dockerfilelint with every rule on', () => {
    const content = readFileSync(dockerfilePath, 'utf8');
    expect(dockerfilelint(join(workspaceRoot, 'docker'), content)).toEqual([]);
  });

  it('and the linter does flag a broken Dockerfile', () => {
    const rules = dockerfilelint(workspaceRoot, 'FROM node\nRUN apt-get install curl\n').map(
      (issue) => issue.rule,
    );
    expect(rules).toEqual(expect.arrayContaining(['missing_tag', 'apt-get_missing_param']));
  });

  it('builds in two stages from one exactly pinned Node LTS image', () => {
    expect(dockerfile.stages).toHaveLength(2);
    expect(build.name).toBe('build');
    expect(runtime.from).toBe(build.from);
    // node:<major>.<minor>.<patch>-<debian release>-slim: an exact release, never "latest".
    const version = /^node:(\d+)\.\d+\.\d+-[a-z]+-slim$/.exec(runtime.from);
    expect(version).not.toBeNull();
    // Even majors are the LTS lines; 22 and later are maintained as this is written.
    const major = Number(version![1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('builds the one app named by APP with Nx, and installs its generated lock file', () => {
    for (const stage of dockerfile.stages) {
      expect(stage.instructions).toContainEqual(
        expect.objectContaining({ keyword: 'ARG', args: 'APP' }),
      );
    }
    const runs = build.instructions.filter((instruction) => instruction.keyword === 'RUN');
    expect(runs.filter((step) => /\bnx\b/.test(step.args)).map((step) => step.args)).toEqual([
      expect.stringMatching(/npx nx build "\$APP"/),
    ]);
    const workdirs = build.instructions.filter((instruction) => instruction.keyword === 'WORKDIR');
    expect(workdirs.map((step) => step.args)).toEqual(['/workspace', '/workspace/dist/apps/$APP']);
    expect(runs[runs.length - 1].args).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
  });

  it("keeps only the app's build output from the build stage", () => {
    const copies = runtime.instructions.filter((instruction) =>
      ['COPY', 'ADD'].includes(instruction.keyword),
    );
    expect(copies.map((copy) => [copy.keyword, copyParts(copy)])).toEqual([
      ['COPY', { flags: { from: 'build' }, sources: ['/workspace/dist/apps/$APP/'], dest: './' }],
    ]);
    expect(last(runtime, 'WORKDIR')?.args).toBe('/app');
    // The runtime stage's own commands only change the base image, never the app's files.
    const runs = runtime.instructions.filter((instruction) => instruction.keyword === 'RUN');
    expect(runs.filter((step) => /\/app\b|\bWORKDIR\b/.test(step.args))).toEqual([]);
    expect(last(runtime, 'ENV')?.args).toContain('NODE_ENV=production');
  });

  it('runs as a numeric non-root user, with node itself as the entry process', () => {
    const user = last(runtime, 'USER')?.args ?? '';
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    // Exec form: node is PID 1 and receives SIGTERM; no shell and no second supervisor.
    const entrypoint = execForm(last(runtime, 'ENTRYPOINT'));
    expect(entrypoint).toEqual(['node', '--enable-source-maps', 'main.js']);
    expect(last(runtime, 'CMD')).toBeUndefined();
  });

  it('carries no secrets in build arguments, environment or the copied npm config', () => {
    const declared = dockerfile.stages
      .flatMap((stage) => stage.instructions)
      .filter((instruction) => ['ARG', 'ENV'].includes(instruction.keyword))
      .map((instruction) => instruction.args)
      .filter((args) => SECRET_NAME.test(args));
    expect(declared).toEqual([]);
    expect(readFileSync(join(workspaceRoot, '.npmrc'), 'utf8')).not.toMatch(/_auth|token/i);
  });
});

describe('.dockerignore', () => {
  const ignore = DockerIgnore.read(join(workspaceRoot, '.dockerignore'));

  it('keeps out installed and built output, local state and anything secret', () => {
    const out = [
      'node_modules/express/package.json',
      'libs/sqs/node_modules/x/index.js',
      'dist/apps/receiver/main.js',
      'apps/receiver/out-tsc/main.js',
      '.git/config',
      '.nx/cache/x',
      'coverage/lcov.info',
      'tmp/apps/receiver/x',
      '.env',
      'apps/receiver/.env.production',
      'deploy/key.pem',
      'k8s/base/kustomization.yaml',
      'tools/launcher/start.mjs',
    ];
    expect(out.filter((path) => !ignore.excludes(path))).toEqual([]);
  });

  it('lets through what the build stage copies', () => {
    const copied = build.instructions
      .filter((instruction) => instruction.keyword === 'COPY')
      .flatMap((instruction) => copyParts(instruction).sources);
    const needed = [
      ...copied,
      'apps/receiver/src/main.ts',
      'apps/receiver/project.json',
      'libs/sqs/src/index.ts',
      'libs/payloads/package.json',
    ];
    expect(needed.filter((path) => ignore.excludes(path))).toEqual([]);
  });
});
