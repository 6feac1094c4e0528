import { readConfig, sqsAndLoggingSpecs, str } from '@webhook-dlq/runtime';

export const adminSpecs = {
  ...sqsAndLoggingSpecs,
  PARKING_QUEUE_NAME: str({ default: 'genesys-webhook-parked', desc: 'where given-up events wait' }),
};

export type AdminConfig = ReturnType<typeof loadAdminConfig>;

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(adminSpecs, env);
}
