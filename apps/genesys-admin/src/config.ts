import { int, readConfig, sqsAndLoggingSpecs, str, url } from '@webhook-dlq/runtime';

/** What the DLQ commands need: the two queues and logging. */
export const queueSpecs = {
  ...sqsAndLoggingSpecs,
  PARKING_QUEUE_NAME: str({
    default: 'genesys-webhook-parked',
    desc: 'where given-up events wait',
  }),
};

/** What the Genesys commands need. Read only by those, so `dlq …` runs without Genesys access. */
export const genesysSpecs = {
  GENESYS_CLIENT_ID: str({ desc: 'OAuth client (client credentials grant) of the admin tool' }),
  GENESYS_CLIENT_SECRET: str({ desc: 'secret of that OAuth client; never printed' }),
  GENESYS_REGION: str({
    default: '',
    desc: 'region key (eu_central_1 or eu-central-1) or host (mypurecloud.de)',
  }),
  GENESYS_API_URL: url({
    default: undefined,
    desc: 'a Genesys-compatible server that gets login and API calls instead of Genesys Cloud',
  }),
  RECEIVER_URL: str({ default: '', desc: 'the receiver URL verify checks when not given' }),
  GENESYS_TOPICS: str({ default: '', desc: 'comma-separated topics verify checks when not given' }),
  GENESYS_TRIGGER_PREFIX: str({
    default: 'webhook-dlq',
    desc: 'triggers whose name starts with this are the ones this tool checks and tests',
  }),
};

export const serveSpecs = {
  ...queueSpecs,
  ...genesysSpecs,
  RECEIVER_URL: url({ desc: 'the receiver URL the data action must post to' }),
  PORT: int({ min: 0, max: 65535, default: 8082, desc: 'port of /healthz, /status, /metrics' }),
  HOST: str({ default: '0.0.0.0', desc: 'address to listen on' }),
  VERIFY_INTERVAL_SECONDS: int({ min: 1, default: 300, desc: 'time between two verify runs' }),
  SHUTDOWN_GRACE_SECONDS: int({ min: 0, default: 5, desc: 'time to finish a request on SIGTERM' }),
};

export type QueueConfig = ReturnType<typeof loadQueueConfig>;
export type GenesysConfig = ReturnType<typeof loadGenesysConfig>;
export type ServeConfig = ReturnType<typeof loadServeConfig>;

export function loadQueueConfig(env: NodeJS.ProcessEnv) {
  return readConfig(queueSpecs, env);
}

export function loadGenesysConfig(env: NodeJS.ProcessEnv) {
  return requireRegion(readConfig({ ...genesysSpecs, LOG_LEVEL: queueSpecs.LOG_LEVEL }, env));
}

export function loadServeConfig(env: NodeJS.ProcessEnv) {
  return requireRegion(readConfig(serveSpecs, env));
}

/** Splits a comma-separated list, dropping blanks. */
export function listOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

// Without a region the SDK would quietly talk to the US region and fail to log in there.
function requireRegion<C extends { GENESYS_REGION: string; GENESYS_API_URL?: string }>(
  config: C,
): C {
  if (!config.GENESYS_REGION && !config.GENESYS_API_URL) {
    throw new Error(
      'GENESYS_REGION is required: a region key such as eu_central_1 or a host such as ' +
        'mypurecloud.de (or set GENESYS_API_URL to use a Genesys-compatible server).',
    );
  }
  return config;
}
