import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { k8sRoot } from './paths';

/** A rendered Kubernetes object, as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Objects are read as data and checked field by field.
  [field: string]: unknown;
}

export const OVERLAYS = ['local', 'aws'] as const;
export type OverlayName = (typeof OVERLAYS)[number];

const INSTALL_KUBECTL =
  'kubectl is needed to render k8s/ (kubectl kustomize) and was not found on PATH. Install ' +
  'it, e.g. `sudo apt-get install -y kubectl` from the Kubernetes apt repository, ' +
  '`brew install kubectl`, or a binary from https://kubernetes.io/docs/tasks/tools/ .';

/** `kubectl kustomize <dir>`, parsed. Throws, never skips, when kubectl is missing. */
export function render(dir: string, env: NodeJS.ProcessEnv = process.env): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', env });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(INSTALL_KUBECTL);
  }
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  }
  return parseAllDocuments(result.stdout).map((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    return document.toJS() as K8sObject;
  });
}

export function renderOverlay(overlay: OverlayName): K8sObject[] {
  return render(join(k8sRoot, 'overlays', overlay));
}

/**
 * An overlay's deploy-settings (its settings.yaml): the values the components copy into the
 * objects. The ConfigMap itself never reaches the cluster, so it is read from the file.
 */
export function readSettings(overlay: OverlayName): Record<string, string> {
  const file = join(k8sRoot, 'overlays', overlay, 'settings.yaml');
  return (parse(readFileSync(file, 'utf8')) as { data: Record<string, string> }).data;
}

/** Looks up one object; throws naming what is missing. */
export function find<T extends K8sObject = K8sObject>(
  objects: K8sObject[],
  kind: string,
  name: string,
): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered objects`);
  return found as T;
}

/** A ConfigMap generated with a hash suffix, found by the name it was generated under. */
export function generatedConfigMap(objects: K8sObject[], name: string): Record<string, string> {
  const generated = new RegExp(`^${name}-[a-z0-9]{10}$`);
  const found = objects.find(
    (object) => object.kind === 'ConfigMap' && generated.test(object.metadata.name),
  );
  if (!found) throw new Error(`no generated ConfigMap ${name}`);
  return (found.data ?? {}) as Record<string, string>;
}

// The parts of a Deployment the checks read.
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: Record<string, unknown> }>;
}

export interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

/**
 * The environment a container starts with: its ConfigMaps' data in envFrom order, then its
 * own `env`. Secrets are not rendered (they are created outside the repository) and are
 * listed instead.
 */
export function containerEnvironment(
  objects: K8sObject[],
  container: Container,
): { env: Record<string, string>; secrets: Array<{ name: string; optional: boolean }> } {
  const env: Record<string, string> = {};
  const secrets: Array<{ name: string; optional: boolean }> = [];
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = find(objects, 'ConfigMap', source.configMapRef.name);
      Object.assign(env, map.data ?? {});
    }
    if (source.secretRef) {
      secrets.push({ name: source.secretRef.name, optional: source.secretRef.optional ?? false });
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  return { env, secrets };
}

/** The port number a probe or Service names, by name or number. */
export function resolvePort(container: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((candidate) => candidate.name === port);
  if (!named) throw new Error(`container ${container.name} has no port named ${port}`);
  return named.containerPort;
}
