import { join } from 'node:path';
import { configVariables } from '../src/app-config';
import {
  type Container,
  containerEnvironment,
  type Deployment,
  find,
  generatedConfigMap,
  type K8sObject,
  OVERLAYS,
  type OverlayName,
  readSettings,
  render,
  renderOverlay,
  resolvePort,
} from '../src/kustomize';
import { type AppName, APPS, k8sRoot } from '../src/paths';
import { fieldNameProblems, schemaProblems } from '../src/schema';

jest.setTimeout(120_000);

/**
 * Settings the manifests give an app before its code reads them, each with the feature
 * that will. Any other key an app's ConfigMaps set must be a variable the app reads.
 */
const SET_AHEAD_OF_CODE: Record<AppName, Record<string, string>> = {
  receiver: {},
  'dlq-worker': {},
  'genesys-admin': {
    PORT: 'the serve mode of its Deployment',
    GENESYS_REGION: 'the Genesys commands',
    VERIFY_INTERVAL_SECONDS: 'the serve mode of its Deployment',
    RECEIVER_URL: 'the serve mode of its Deployment',
  },
};

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values: string[] }>;
};
type Service = K8sObject & {
  spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> };
};
type IngressPath = {
  path: string;
  backend: { service: { name: string; port: { name: string } } };
};
type Ingress = K8sObject & {
  spec: {
    tls: Array<{ hosts: string[]; secretName: string }>;
    rules: Array<{ host: string; http: { paths: IngressPath[] } }>;
  };
};
type Autoscaler = K8sObject & {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
  };
};
type DisruptionBudget = K8sObject & { spec: { selector: Selector } };
type PolicyPeer = { namespaceSelector?: { matchLabels: Record<string, string> } };
type Policy = K8sObject & {
  spec: {
    podSelector: Selector;
    policyTypes: string[];
    ingress?: Array<{ from: PolicyPeer[]; ports: Array<{ port: string | number }> }>;
  };
};
type ScaledObject = K8sObject & {
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: Array<{
      type: string;
      authenticationRef: { name: string };
      metadata: Record<string, string>;
    }>;
  };
};

const rendered = {} as Record<OverlayName, K8sObject[]>;
const variables: Partial<Record<AppName, string[]>> = {};

beforeAll(() => {
  for (const overlay of OVERLAYS) rendered[overlay] = renderOverlay(overlay);
});

function deployment(overlay: OverlayName, app: string): Deployment {
  return find<Deployment>(rendered[overlay], 'Deployment', app);
}

function container(overlay: OverlayName, app: string): Container {
  return deployment(overlay, app).spec.template.spec.containers[0];
}

function environment(overlay: OverlayName, app: string): Record<string, string> {
  return containerEnvironment(rendered[overlay], container(overlay, app)).env;
}

function podLabels(overlay: OverlayName, app: string): Record<string, string> {
  return deployment(overlay, app).spec.template.metadata.labels;
}

/** Whether a label selector (matchLabels, and matchExpressions with In) picks `labels`. */
function selects(selector: Selector, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  return (
    matchLabels.every(([key, value]) => labels[key] === value) &&
    (selector.matchExpressions ?? []).every(
      ({ key, operator, values }) => operator === 'In' && values.includes(labels[key]),
    )
  );
}

describe('rendering', () => {
  it('fails, saying how to install kubectl, where there is none', () => {
    const nowhere = { ...process.env, PATH: join(k8sRoot, 'no-such-directory') };
    expect(() => render(join(k8sRoot, 'base'), nowhere)).toThrow(/kubectl is needed.*Install/s);
  });

  it.each(OVERLAYS)('renders the %s overlay, and the base alone', (overlay) => {
    expect(rendered[overlay].length).toBeGreaterThan(10);
    expect(render(join(k8sRoot, 'base')).length).toBeGreaterThan(10);
  });

  it.each(OVERLAYS)('%s: every object fits the Kubernetes (and KEDA) schemas', (overlay) => {
    expect(schemaProblems(rendered[overlay])).toEqual([]);
    expect(fieldNameProblems(rendered[overlay])).toEqual([]);
  });

  it('the schema checks catch a wrong type and a misspelt field', () => {
    const broken = structuredClone(deployment('aws', 'receiver'));
    (broken.spec as Record<string, unknown>).replicas = 'two';
    const probe = broken.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    probe.readinesProbe = probe.readinessProbe;
    expect(schemaProblems([broken])).toEqual([expect.stringContaining('Deployment/receiver')]);
    expect(fieldNameProblems([broken])).toEqual(
      expect.arrayContaining([expect.stringContaining('readinesProbe')]),
    );

    const scaled = structuredClone(find(rendered.aws, 'ScaledObject', 'dlq-worker'));
    const [trigger] = (scaled.spec as { triggers: Array<{ metadata: Record<string, string> }> })
      .triggers;
    trigger.metadata.scaleOnInflight = 'false';
    expect(fieldNameProblems([scaled])).toEqual([expect.stringContaining('scaleOnInflight')]);
  });

  it.each(OVERLAYS)('%s: every placeholder of the base is set', (overlay) => {
    expect(JSON.stringify(rendered[overlay])).not.toContain('set-by-overlay');
  });

  it.each(OVERLAYS)('%s: commits no secret, only references to Secrets', (overlay) => {
    expect(rendered[overlay].filter((object) => object.kind === 'Secret')).toEqual([]);
    const secretLooking = rendered[overlay]
      .filter((object) => object.kind === 'ConfigMap')
      .flatMap((map) => Object.keys((map.data ?? {}) as object))
      .filter((key) => /SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE|CREDENTIAL|HEADERS/i.test(key));
    expect(secretLooking).toEqual([]);
  });
});

describe.each(OVERLAYS)('%s overlay: every app Deployment', (overlay) => {
  it.each(APPS)('%s runs as non-root with a read-only root and no privileges', (app) => {
    const pod = deployment(overlay, app).spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const each of pod.containers) {
      expect(each.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(each.securityContext?.capabilities?.add).toBeUndefined();
      expect(each.securityContext?.privileged).not.toBe(true);
      // The one writable place is an emptyDir at /tmp.
      const tmp = each.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
    }
  });

  it.each(APPS)('%s has resources, probes on declared ports and its own service account', (app) => {
    const spec = deployment(overlay, app).spec;
    const pod = spec.template.spec;
    const main = pod.containers[0];
    expect(main.resources?.requests).toEqual(
      expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
    );
    expect(main.resources?.limits?.memory).toBeDefined();

    for (const probe of [main.readinessProbe, main.livenessProbe]) {
      expect(probe?.httpGet?.path).toMatch(/^\/[a-z]+$/);
      expect(() => resolvePort(main, probe!.httpGet!.port)).not.toThrow();
    }

    expect(pod.serviceAccountName).toBe(app);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(rendered[overlay], 'ServiceAccount', app).automountServiceAccountToken).toBe(false);
    expect(selects(spec.selector, spec.template.metadata.labels)).toBe(true);
  });

  it.each(APPS)('%s gets longer to stop than its pause before SIGTERM and its drain', (app) => {
    const pod = deployment(overlay, app).spec.template.spec;
    const pause = pod.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
    const env = environment(overlay, app);
    const grace = Number(env.SHUTDOWN_GRACE_SECONDS);
    expect(grace).toBeGreaterThan(0);
    // The worker's receive already waiting at SIGTERM finishes alongside the grace period.
    const drain = Math.max(grace, Number(env.WAIT_TIME_SECONDS ?? 0));
    // A margin past the drain: releasing unfinished work (up to 5 s), closing, exiting.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(pause + drain + 10);
  });

  it.each(APPS)('%s reads every setting its ConfigMaps give it', (app) => {
    variables[app] ??= configVariables(app);
    const known = new Set([...variables[app], ...Object.keys(SET_AHEAD_OF_CODE[app])]);
    const unknown = Object.keys(environment(overlay, app)).filter((key) => !known.has(key));
    expect(unknown).toEqual([]);
  });

  it.each(APPS)('%s sets each container port in its configuration, as the app reads it', (app) => {
    const env = environment(overlay, app);
    for (const port of container(overlay, app).ports ?? []) {
      const settingIt = Object.entries(env).filter(
        ([key, value]) => /PORT$/.test(key) && Number(value) === port.containerPort,
      );
      expect({ port: port.name, settings: settingIt.length }).toEqual({
        port: port.name,
        settings: 1,
      });
    }
  });

  it.each(APPS)('%s takes its image from the overlay', (app) => {
    const image = container(overlay, app).image;
    const registry = '\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com';
    const expected =
      overlay === 'local'
        ? new RegExp(`^genesys-webhook-dlq/${app}:dev$`)
        : new RegExp(`^${registry}/genesys-webhook-dlq/${app}:\\d+\\.\\d+\\.\\d+$`);
    expect(image).toMatch(expected);
  });
});

describe.each(OVERLAYS)('%s overlay: the receiver', (overlay) => {
  it('pauses before SIGTERM so that endpoints stop sending to it first', () => {
    const pod = deployment(overlay, 'receiver').spec.template.spec;
    expect(pod.containers[0].lifecycle?.preStop?.sleep?.seconds).toBeGreaterThanOrEqual(3);
  });

  it('is reached through a Service and a TLS Ingress for the webhook path only', () => {
    const service = find<Service>(rendered[overlay], 'Service', 'receiver');
    expect(selects({ matchLabels: service.spec.selector }, podLabels(overlay, 'receiver'))).toBe(
      true,
    );
    for (const port of service.spec.ports) {
      expect(() => resolvePort(container(overlay, 'receiver'), port.targetPort)).not.toThrow();
    }

    const ingress = find<Ingress>(rendered[overlay], 'Ingress', 'receiver');
    const hosts = ingress.spec.rules.map((rule) => rule.host);
    expect(ingress.spec.tls.flatMap((tls) => tls.hosts)).toEqual(hosts);
    expect(hosts).toEqual([readSettings(overlay).receiverHost]);
    expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe(
      readSettings(overlay).clusterIssuer,
    );
    const paths = ingress.spec.rules.flatMap((rule) => rule.http.paths);
    expect(paths.map((path) => path.path)).toEqual(['/webhooks/genesys']);
    for (const path of paths) {
      expect(path.backend.service.name).toBe('receiver');
      expect(service.spec.ports.map((port) => port.name)).toContain(path.backend.service.port.name);
    }
  });

  it('is scaled by a HorizontalPodAutoscaler and protected by a PodDisruptionBudget', () => {
    const hpa = find<Autoscaler>(rendered[overlay], 'HorizontalPodAutoscaler', 'receiver');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'receiver' });
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    if (overlay === 'aws') expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    // The autoscaler owns the count; a replicas field would reset it on every apply.
    expect(deployment(overlay, 'receiver').spec.replicas).toBeUndefined();

    const pdb = find<DisruptionBudget>(rendered[overlay], 'PodDisruptionBudget', 'receiver');
    expect(selects(pdb.spec.selector, podLabels(overlay, 'receiver'))).toBe(true);
  });
});

describe.each(OVERLAYS)('%s overlay: the dlq-worker', (overlay) => {
  it('has a PodDisruptionBudget', () => {
    const pdb = find<DisruptionBudget>(rendered[overlay], 'PodDisruptionBudget', 'dlq-worker');
    expect(selects(pdb.spec.selector, podLabels(overlay, 'dlq-worker'))).toBe(true);
  });
});

describe('aws overlay: KEDA scales the dlq-worker by visible DLQ messages', () => {
  it('counts visible messages only, on the queue and in the region the worker uses', () => {
    const scaled = find<ScaledObject>(rendered.aws, 'ScaledObject', 'dlq-worker');
    expect(scaled.spec.scaleTargetRef.name).toBe('dlq-worker');
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.spec.maxReplicaCount).toBeGreaterThan(scaled.spec.minReplicaCount);

    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('aws-sqs-queue');
    // KEDA counts in-flight messages unless told not to; delayed ones only when told to.
    expect(trigger.metadata.scaleOnInFlight).toBe('false');
    expect(trigger.metadata.scaleOnDelayed).toBe('false');

    const env = environment('aws', 'dlq-worker');
    const url = new URL(trigger.metadata.queueURL);
    expect(url.hostname).toBe(`sqs.${env.AWS_REGION}.amazonaws.com`);
    expect(url.pathname.split('/').pop()).toBe(env.DLQ_QUEUE_NAME);
    expect(trigger.metadata.awsRegion).toBe(env.AWS_REGION);
    find(rendered.aws, 'TriggerAuthentication', trigger.authenticationRef.name);

    // KEDA owns the count.
    expect(deployment('aws', 'dlq-worker').spec.replicas).toBeUndefined();
  });

  it('the local overlay, without KEDA, runs a fixed number of workers', () => {
    expect(rendered.local.filter((object) => object.kind === 'ScaledObject')).toEqual([]);
    expect(deployment('local', 'dlq-worker').spec.replicas).toBeGreaterThanOrEqual(1);
  });
});

describe.each(OVERLAYS)('%s overlay: genesys-admin', (overlay) => {
  it('runs serve as one replica, with its Genesys credentials from a required Secret', () => {
    const spec = deployment(overlay, 'genesys-admin').spec;
    expect(spec.replicas).toBe(1);
    const main = container(overlay, 'genesys-admin');
    expect(main.args).toEqual(['serve']);
    const { secrets } = containerEnvironment(rendered[overlay], main);
    expect(secrets).toEqual([{ name: 'genesys-admin-secrets', optional: false }]);
  });
});

describe.each(OVERLAYS)('%s overlay: network policies', (overlay) => {
  function admitted(app: AppName): string[] {
    const labels = podLabels(overlay, app);
    return rendered[overlay]
      .filter((object): object is Policy => object.kind === 'NetworkPolicy')
      .filter((policy) => selects(policy.spec.podSelector, labels))
      .flatMap((policy) => policy.spec.ingress ?? [])
      .flatMap((rule) =>
        rule.from.flatMap((source) =>
          rule.ports.map((port) => {
            const namespace = source.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'];
            const from = namespace ? `namespace ${namespace}` : JSON.stringify(source);
            return `${from} -> ${port.port}`;
          }),
        ),
      )
      .sort();
  }

  it('deny everything that no policy admits', () => {
    const policies = rendered[overlay].filter((object) => object.kind === 'NetworkPolicy');
    expect(policies).toContainEqual(
      expect.objectContaining({
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      }),
    );
  });

  it('admit webhooks from the ingress controller and scrapes from monitoring, nothing else', () => {
    const { ingressNamespace, monitoringNamespace: monitoring } = readSettings(overlay);
    expect(admitted('receiver')).toEqual([
      `namespace ${ingressNamespace} -> http`,
      `namespace ${monitoring} -> metrics`,
    ]);
    expect(admitted('dlq-worker')).toEqual([`namespace ${monitoring} -> health`]);
    expect(admitted('genesys-admin')).toEqual([`namespace ${monitoring} -> http`]);
  });
});

describe('namespaces', () => {
  it('hold the apps to the "restricted" Pod Security Standard on AWS', () => {
    const namespace = find(rendered.aws, 'Namespace', 'genesys-webhook-dlq');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const local = find(rendered.local, 'Namespace', 'genesys-webhook-dlq');
    // Lowered to "baseline" for the local SQS server's image only; the apps still comply.
    expect(local.metadata.labels?.['pod-security.kubernetes.io/warn']).toBe('restricted');
    for (const object of [...rendered.aws, ...rendered.local]) {
      expect(object.metadata.namespace ?? 'genesys-webhook-dlq').toBe('genesys-webhook-dlq');
    }
  });

  it('the local overlay stores its queue settings where the shared config points', () => {
    expect(generatedConfigMap(rendered.local, 'shared-config').SQS_ENDPOINT).toBe(
      'http://sqs-server:4566',
    );
    expect(find(rendered.local, 'Service', 'sqs-server')).toBeDefined();
  });
});
