import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
} from '@aws-sdk/client-sqs';
import {
  type AssembledImage,
  DockerBuildPlay,
  ImageProcess,
  installedPackages,
} from '../src/image';
import {
  type Container,
  containerEnvironment,
  type Deployment,
  find,
  generatedConfigMap,
  type K8sObject,
  OVERLAYS,
  type OverlayName,
  renderOverlay,
  resolvePort,
} from '../src/kustomize';
import { type AppName, APPS, workspaceRoot } from '../src/paths';
import {
  eventually,
  LOCAL_CREDENTIALS,
  testSqsClient,
  testSqsEndpoint,
} from '../../../tools/testing/sqs-kit';

// Three Nx builds from a copy of the build context (about a minute alone, three on a busy
// machine), then each app started several times.
jest.setTimeout(600_000);

const rootPackage = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Packages the workspace has only for development: npm marks them `dev` in the lock. */
const devOnly = new Set(
  Object.entries(
    (
      JSON.parse(readFileSync(join(workspaceRoot, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { dev?: boolean }>;
      }
    ).packages,
  )
    .filter(([path, entry]) => entry.dev && /^node_modules\/[^/]+(\/[^/]+)?$/.test(path))
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => !name.includes('/') || name.startsWith('@')),
);

/**
 * What each Secret holds, with stand-in values for this machine (the README's Deploy
 * section says how to create them). Keys an app does not read yet are ignored by it.
 */
const SECRET_STAND_INS: Record<string, Record<string, string>> = {
  'receiver-secrets': { AUTH_API_KEYS: 'stand-in-key' },
  'dlq-worker-secrets': {},
  'genesys-admin-secrets': { GENESYS_CLIENT_ID: 'stand-in', GENESYS_CLIENT_SECRET: 'stand-in' },
};

let play: DockerBuildPlay;
const images = {} as Record<AppName, AssembledImage>;
const rendered = {} as Record<OverlayName, K8sObject[]>;
const running: ImageProcess[] = [];

beforeAll(async () => {
  for (const overlay of OVERLAYS) rendered[overlay] = renderOverlay(overlay);
  await createQueuesAsTheLocalOverlayDoes();

  play = new DockerBuildPlay();
  for (const app of APPS) {
    play.build(app);
    images[app] = play.assemble(app);
  }
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.stop()));
});

afterAll(() => play?.dispose());

/** The queues the local overlay's SQS server creates, from its own init file. */
async function createQueuesAsTheLocalOverlayDoes(): Promise<void> {
  const init = generatedConfigMap(rendered.local, 'sqs-server-init');
  const { queues } = JSON.parse(init['sqs-server-init.json']) as {
    queues: Array<{ name: string; attributes: Record<string, string> }>;
  };
  const client = testSqsClient();
  for (const queue of queues) {
    await client.send(
      new CreateQueueCommand({ QueueName: queue.name, Attributes: queue.attributes }),
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function mainContainer(overlay: OverlayName, app: AppName): Container {
  return find<Deployment>(rendered[overlay], 'Deployment', app).spec.template.spec.containers[0];
}

/**
 * The container's environment as the overlay renders it, pointed at this machine: the
 * test's SQS server, local credentials, loopback, and a free port for each container port
 * (found by the setting whose value is that port). Returns the port each container port
 * was moved to.
 */
async function environmentOnThisMachine(overlay: OverlayName, app: AppName) {
  const container = mainContainer(overlay, app);
  const { env, secrets } = containerEnvironment(rendered[overlay], container);
  for (const secret of secrets) {
    const standIn = SECRET_STAND_INS[secret.name];
    if (!standIn) throw new Error(`no stand-in for Secret ${secret.name}: add one above`);
    Object.assign(env, standIn);
  }
  const ports = new Map<number, number>();
  for (const { containerPort } of container.ports ?? []) {
    const setting = Object.keys(env).find(
      (key) => /PORT$/.test(key) && Number(env[key]) === containerPort,
    );
    if (!setting) throw new Error(`no setting of ${app} sets port ${containerPort}`);
    const port = await freePort();
    env[setting] = String(port);
    ports.set(containerPort, port);
  }
  return {
    ports,
    env: {
      ...env,
      HOST: '127.0.0.1',
      SQS_ENDPOINT: testSqsEndpoint(),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // Nothing listens on these: the probes must not depend on the downstream or on
      // Genesys, and a test never reaches the internet.
      ...(env.DOWNSTREAM_URL ? { DOWNSTREAM_URL: 'http://127.0.0.1:9/events' } : {}),
      ...(app === 'genesys-admin' ? { GENESYS_API_URL: 'http://127.0.0.1:9' } : {}),
    },
  };
}

/** Starts the image as the Deployment does and waits for each of its HTTP probes to pass. */
async function expectProbesToPass(overlay: OverlayName, app: AppName): Promise<void> {
  const container = mainContainer(overlay, app);
  const { env, ports } = await environmentOnThisMachine(overlay, app);
  const started = ImageProcess.start(images[app], container.args ?? [], env);
  running.push(started);

  const probes = [container.startupProbe, container.readinessProbe, container.livenessProbe];
  for (const probe of probes) {
    if (!probe?.httpGet) continue;
    const port = ports.get(resolvePort(container, probe.httpGet.port));
    const url = `http://127.0.0.1:${port}${probe.httpGet.path}`;
    const status = await eventually(
      () =>
        fetch(url).then(
          (response) => response.status,
          () => 0,
        ),
      (code) => code === 200,
      20_000,
    );
    const output = status === 200 ? '' : started.output();
    expect({ path: probe.httpGet.path, status, output }).toEqual({
      path: probe.httpGet.path,
      status: 200,
      output: '',
    });
  }
  // And it drains and exits cleanly on SIGTERM, as on a rolling update.
  expect(await started.stop()).toBe(0);
}

describe('the local overlay SQS server', () => {
  it('creates the DLQ redriving to the parking queue, as the template does on AWS', async () => {
    const client = testSqsClient();
    const attributes = async (name: string) => {
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
      );
      return Attributes ?? {};
    };
    const parked = await attributes('genesys-webhook-parked');
    const dlq = await attributes('genesys-webhook-dlq');
    expect(JSON.parse(dlq.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: parked.QueueArn,
    });
    expect(dlq.MessageRetentionPeriod).toBe('1209600');
  });
});

describe.each(APPS)('the %s image', (app) => {
  it('holds the entry file the build produced, no sources or tests, no dev dependencies', () => {
    const image = images[app];
    const entry = image.entrypoint[image.entrypoint.length - 1];
    expect(existsSync(join(image.dir, entry))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(image.dir, 'package.json'), 'utf8')) as {
      main: string;
      devDependencies?: object;
    };
    expect(manifest.main.replace(/^\.\//, '')).toBe(entry);
    expect(manifest.devDependencies).toBeUndefined();

    const own = readdirSync(image.dir, { recursive: true })
      .map(String)
      .filter((path) => !path.startsWith('node_modules'));
    expect(own.filter((path) => /\.spec\.|\.test\.|(?<!\.d)\.ts$/.test(path))).toEqual([]);

    expect(devOnly.size).toBeGreaterThan(0);
    expect(installedPackages(image.dir).filter((name) => devOnly.has(name))).toEqual([]);
  });

  it('lists in its generated package.json every module the bundle requires', () => {
    const image = images[app];
    const bundle = readFileSync(join(image.dir, 'main.js'), 'utf8');
    const required = new Set(
      [...bundle.matchAll(/\brequire\(["']([^"'./][^"']*)["']\)/g)]
        .map((match) => match[1])
        .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name))
        .map((name) =>
          name
            .split('/')
            .slice(0, name.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    );
    const { dependencies } = JSON.parse(readFileSync(join(image.dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect([...required].filter((name) => !(name in dependencies))).toEqual([]);
    for (const [name, version] of Object.entries(dependencies)) {
      expect({ name, version }).toEqual({ name, version: rootPackage.dependencies[name] });
    }
  });
});

describe.each(OVERLAYS)('configured as the %s overlay configures it', (overlay) => {
  it.each(APPS)('%s starts with only its production dependencies and answers its probes', (app) =>
    expectProbesToPass(overlay, app),
  );

  it('genesys-admin runs a command with only its production dependencies', async () => {
    const { env } = await environmentOnThisMachine(overlay, 'genesys-admin');
    const started = ImageProcess.start(images['genesys-admin'], ['dlq', 'stats', '--json'], env);
    running.push(started);
    expect({ code: await started.exited, output: started.output() }).toEqual({
      code: 0,
      output: expect.anything(),
    });
    const depths = JSON.parse(started.stdout.join('\n')) as Record<string, { visible: number }>;
    expect(Object.keys(depths).sort()).toEqual(['dlq', 'parked']);
  });
});
