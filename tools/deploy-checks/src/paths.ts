import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(__dirname, '..', '..', '..');
export const k8sRoot = join(workspaceRoot, 'k8s');
export const cloudFormationPath = join(k8sRoot, 'overlays', 'aws', 'cloudformation.yaml');

export const APPS = ['receiver', 'dlq-worker', 'genesys-admin'] as const;
export type AppName = (typeof APPS)[number];
