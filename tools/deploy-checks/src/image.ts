import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import {
  copyParts,
  DockerIgnore,
  type Dockerfile,
  execForm,
  type Instruction,
  parseDockerfile,
  type Stage,
} from './dockerfile';
import { type AppName, workspaceRoot } from './paths';

export const dockerfilePath = join(workspaceRoot, 'docker', 'Dockerfile');

/** An app's runtime stage laid out in a folder: what the image would hold under WORKDIR. */
export interface AssembledImage {
  app: AppName;
  dir: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
}

/**
 * Plays docker/Dockerfile without a Docker engine: the build stage runs in a copy of the
 * build context (what .dockerignore lets through, nothing else), and each app's runtime
 * stage is laid out in a folder of its own outside the repository, so `node` there finds
 * only the dependencies the image would hold.
 *
 * Two steps are stand-ins: `npm ci` links the workspace's installed node_modules instead of
 * downloading, and the production install copies exactly the packages the app's generated
 * lock file lists from the workspace's node_modules (same versions, checked). Tests never
 * reach a registry.
 */
export class DockerBuildPlay {
  private readonly dockerfile: Dockerfile;
  private readonly ignore: DockerIgnore;
  private readonly scratch: string;
  private readonly context: string;

  constructor() {
    this.dockerfile = parseDockerfile(dockerfilePath);
    this.ignore = DockerIgnore.read(join(workspaceRoot, '.dockerignore'));
    this.scratch = mkdtempSync(join(tmpdir(), 'deploy-checks-'));
    this.context = join(this.scratch, 'build');
    mkdirSync(this.context);
  }

  get buildStage(): Stage {
    return this.dockerfile.stages[0];
  }

  get runtimeStage(): Stage {
    return this.dockerfile.stages[this.dockerfile.stages.length - 1];
  }

  /** Runs the build stage with `APP=<app>`; throws with the command's output if it fails. */
  build(app: AppName): void {
    const stage = this.buildStage;
    const env: Record<string, string> = { APP: app };
    let workdir = '/';
    const root = containerRoot(stage, app);

    for (const instruction of stage.instructions) {
      switch (instruction.keyword) {
        case 'ENV':
          Object.assign(env, parseEnv(instruction.args));
          break;
        case 'WORKDIR':
          workdir = posix.resolve(workdir, expand(instruction.args, env));
          mkdirSync(this.hostPath(root, workdir), { recursive: true });
          break;
        case 'COPY':
          this.copyFromContext(instruction, root, workdir);
          break;
        case 'RUN':
          this.run(instruction, this.hostPath(root, workdir), env);
          break;
        case 'ARG':
        case 'LABEL':
          break;
        default:
          throw new Error(`line ${instruction.line}: ${instruction.keyword} is not replayed`);
      }
    }
  }

  /** Lays out the runtime stage for `app` in a fresh folder (after {@link build}). */
  assemble(app: AppName): AssembledImage {
    const stage = this.runtimeStage;
    const buildRoot = containerRoot(this.buildStage, app);
    const dir = mkdtempSync(join(this.scratch, `${app}-`));
    assertIsolated(dir);
    const env: Record<string, string> = {};
    let workdir = '/';
    let entrypoint: string[] = [];
    let cmd: string[] = [];

    for (const instruction of stage.instructions) {
      const args = expand(instruction.args, { APP: app });
      switch (instruction.keyword) {
        case 'ENV':
          Object.assign(env, parseEnv(args));
          break;
        case 'WORKDIR':
          workdir = posix.resolve(workdir, args);
          break;
        case 'COPY': {
          const { flags, sources, dest } = copyParts({ ...instruction, args });
          if (!flags.from) {
            throw new Error(`line ${instruction.line}: the runtime stage copies from the context`);
          }
          const target = join(dir, posix.relative(workdir, posix.resolve(workdir, dest)));
          for (const source of sources) {
            cpSync(this.hostPath(buildRoot, source), target, { recursive: true });
          }
          break;
        }
        case 'ENTRYPOINT':
          entrypoint = execForm(instruction) ?? [];
          break;
        case 'CMD':
          cmd = execForm(instruction) ?? [];
          break;
        case 'RUN':
          // Changes to the base image's files (removing npm); the checks of the Dockerfile
          // make sure no RUN here touches WORKDIR.
          break;
        case 'ARG':
        case 'LABEL':
        case 'USER':
          break;
        default:
          throw new Error(`line ${instruction.line}: ${instruction.keyword} is not replayed`);
      }
    }
    return { app, dir, entrypoint, cmd, env };
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** A path inside the build stage's file system, mapped into the scratch copy. */
  private hostPath(root: string, containerPath: string): string {
    const inside = posix.relative(root, posix.resolve('/', containerPath));
    if (inside.startsWith('..')) {
      throw new Error(`${containerPath} lies outside the build stage's ${root}`);
    }
    return join(this.context, ...inside.split('/').filter(Boolean));
  }

  /** COPY from the context: files by name, a directory's contents, minus .dockerignore. */
  private copyFromContext(instruction: Instruction, root: string, workdir: string): void {
    const { flags, sources, dest } = copyParts(instruction);
    if (flags.from) {
      throw new Error(`line ${instruction.line}: the build stage copies from a stage`);
    }
    const target = this.hostPath(root, posix.resolve(workdir, dest));
    const intoDirectory = dest.endsWith('/') || sources.length > 1;

    for (const source of sources) {
      const from = join(workspaceRoot, source);
      if (!existsSync(from) || this.ignore.excludes(source)) {
        throw new Error(`line ${instruction.line}: ${source} is not in the build context`);
      }
      const fileIntoDirectory = intoDirectory && !statSync(from).isDirectory();
      const to = fileIntoDirectory ? join(target, posix.basename(source)) : target;
      cpSync(from, to, {
        recursive: true,
        filter: (path) => !this.ignore.excludes(relative(workspaceRoot, path).split(sep).join('/')),
      });
    }
  }

  private run(instruction: Instruction, cwd: string, env: Record<string, string>): void {
    const command = instruction.args;
    if (/^npm ci\b/.test(command)) {
      if (command.includes('--omit=dev')) installProductionClosure(cwd);
      else linkWorkspaceModules(cwd);
      return;
    }
    const result = spawnSync('sh', ['-c', command], {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new Error(
        `RUN at line ${instruction.line} failed (exit ${result.status}):\n` +
          `${result.stdout}\n${result.stderr}`,
      );
    }
  }
}

/** The build stage's first WORKDIR: the path the context is copied under. */
function containerRoot(stage: Stage, app: AppName): string {
  const workdir = stage.instructions.find((instruction) => instruction.keyword === 'WORKDIR');
  return workdir ? posix.resolve('/', expand(workdir.args, { APP: app })) : '/';
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (whole, name: string) => vars[name] ?? whole);
}

/** `ENV A=1 B="two words"`; the old `ENV A value` form as well. */
export function parseEnv(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [name, ...value] = args.split(/\s+/);
    return { [name]: value.join(' ') };
  }
  const env: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
    env[match[1]] = match[2].replace(/^"|"$/g, '');
  }
  return env;
}

function linkWorkspaceModules(cwd: string): void {
  const link = join(cwd, 'node_modules');
  if (!existsSync(link)) symlinkSync(join(workspaceRoot, 'node_modules'), link, 'dir');
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

/**
 * What `npm ci --omit=dev` does in the app's output folder, from the workspace's installed
 * packages: every package its generated lock file lists, at the locked version, and nothing
 * else (nested node_modules folders come only from their own lock entries).
 */
function installProductionClosure(appDir: string): void {
  const lock = JSON.parse(readFileSync(join(appDir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };

  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.dev || entry.link) continue;
    const source = join(workspaceRoot, key);
    const manifest = join(source, 'package.json');
    if (!existsSync(manifest)) {
      if (entry.optional) continue;
      throw new Error(`${key} is in ${appDir}'s lock file but not installed in the workspace`);
    }
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    if (version !== entry.version) {
      throw new Error(`${key}: the lock file wants ${entry.version}, the workspace has ${version}`);
    }
    cpSync(source, join(appDir, key), {
      recursive: true,
      filter: (path) => !relative(source, path).split(sep).includes('node_modules'),
    });
  }
}

/**
 * Throws unless no folder above `dir` holds a node_modules: otherwise a missing production
 * dependency could still be found there and the check would prove nothing.
 */
export function assertIsolated(dir: string): void {
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    if (existsSync(join(parent, 'node_modules'))) {
      throw new Error(`${parent}/node_modules exists: ${dir} is not isolated from it`);
    }
    if (dirname(parent) === parent) return;
  }
}

/** Installed package names in an image folder, scoped ones as `@scope/name`. */
export function installedPackages(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return [];
  return readdirSync(modules).flatMap((name) => {
    if (name.startsWith('.')) return [];
    if (!name.startsWith('@')) return [name];
    return readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`);
  });
}

/** An assembled image started the way its ENTRYPOINT says, with `node` from this process. */
export class ImageProcess {
  /** Standard output and error, interleaved. */
  readonly lines: string[] = [];
  readonly stdout: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    if (!child.stdout || !child.stderr) throw new Error('the process was started without pipes');
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.stdout.push(line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  /** Starts the image; like `docker run`, given arguments replace the image's CMD. */
  static start(image: AssembledImage, args: string[], env: Record<string, string>): ImageProcess {
    const [program, ...entryArgs] = image.entrypoint;
    if (program !== 'node') throw new Error(`the entry process is ${program}, not node`);
    const home = mkdtempSync(join(dirname(image.dir), 'home-'));
    const command = args.length > 0 ? args : image.cmd;
    const child = spawn(process.execPath, [...entryArgs, ...command], {
      cwd: image.dir,
      // A clean environment: nothing like NODE_PATH may lead node back to the workspace.
      env: {
        PATH: process.env.PATH,
        HOME: home,
        NO_PROXY: '127.0.0.1,localhost',
        ...image.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ImageProcess(child);
  }

  output(): string {
    return this.lines.join('\n');
  }

  /**
   * SIGTERM, as Kubernetes sends it; resolves with the exit code. A process still running
   * after `graceMs` is killed and resolves null, which no check accepts as a clean stop.
   */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
