import { backOff } from 'exponential-backoff';
import platformClient from 'purecloud-platform-client-v2';
import {
  GenesysApiError,
  GenesysLoginError,
  GenesysUnreachableError,
  toGenesysError,
} from './errors';

export interface GenesysClientOptions {
  clientId: string;
  clientSecret: string;
  /** A region key (`eu_central_1`, `eu-central-1`) or host (`mypurecloud.de`). */
  region?: string;
  /** A Genesys-compatible server for login and API calls, e.g. `http://127.0.0.1:9999`. */
  apiUrl?: string;
  /** Tries per call, the first included. Default 5. */
  maxTries?: number;
  /** First backoff step in ms; doubles with each try, with jitter. Default 500. */
  baseDelayMs?: number;
  /** Longest backoff step in ms. Default 30 s. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` waited for, in ms. Genesys asking for longer ends the call with
   * its 429 rather than calling again early. Default 2 minutes.
   */
  maxRetryAfterMs?: number;
  /** Told about every retry, e.g. to log it. */
  onRetry?: (info: { operation: string; attempt: number; reason: string; waitMs?: number }) => void;
}

/** The SDK's shape of a response once extended responses are on. */
interface ExtendedResponse {
  status: number;
  body: unknown;
}

const RENEW_BEFORE_EXPIRY_MS = 60_000;

/**
 * The Genesys Cloud SDK with what it lacks for a long-running tool: it logs in again when the
 * token is about to expire or a call gets 401, and retries 429, 5xx and lost connections,
 * waiting at least `Retry-After` when Genesys sends one.
 */
export class GenesysClient {
  readonly processAutomation: platformClient.ProcessAutomationApi;
  readonly integrations: platformClient.IntegrationsApi;
  readonly architect: platformClient.ArchitectApi;
  /** Where calls go, for messages; never holds a secret. */
  readonly target: string;

  private readonly api: platformClient.ApiClientClass;
  private tokenExpiresAt = 0;
  private loggingIn?: Promise<void>;

  constructor(private readonly options: GenesysClientOptions) {
    this.api = new platformClient.ApiClientClass();
    // The SDK reads ~/.genesyscloudjavascript/config, which can switch on its own logger
    // (it would log request bodies, a credential's secret fields among them) or redirect
    // calls. Neither should apply here: silence the logger, stop watching the file, and set
    // the host below.
    this.api.config.live_reload_config = false;
    this.api.config.logger.log_level = 'none';
    this.api.config.logger.log_to_console = false;
    this.api.config.logger.log_file_path = '';
    this.api.config.logger.setLogger();
    this.api.config.gateway = undefined;
    // Error answers then carry status and headers (Retry-After), not only the body.
    this.api.setReturnExtendedResponses(true);

    if (options.apiUrl) {
      const url = new URL(options.apiUrl);
      const path = url.pathname.replace(/\/+$/, '');
      this.api.setGateway({
        host: url.hostname,
        protocol: url.protocol.replace(':', ''),
        port: url.port ? Number(url.port) : undefined,
        path_params_login: path,
        path_params_api: path,
      });
      this.target = `${url.origin}${path}`;
    } else {
      const host = regionHost(options.region ?? '');
      this.api.setEnvironment(host);
      this.target = `https://api.${host}`;
    }

    this.processAutomation = new platformClient.ProcessAutomationApi(this.api);
    this.integrations = new platformClient.IntegrationsApi(this.api);
    this.architect = new platformClient.ArchitectApi(this.api);
  }

  /** Logs in with the client credentials (again, if already logged in). */
  async login(): Promise<void> {
    this.loggingIn ??= this.retrying('log in', () => this.loginOnce()).finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /**
   * Runs one SDK call with a valid token, retrying as described on the class. `fn` calls
   * one of the API objects above; `operation` names it in errors ("list triggers").
   */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    let loggedInAgain = false;
    return this.retrying(operation, async () => {
      if (Date.now() > this.tokenExpiresAt - RENEW_BEFORE_EXPIRY_MS) await this.login();
      try {
        return bodyOf<T>(await fn());
      } catch (rejected) {
        const error = toGenesysError(operation, rejected);
        // Tokens can be revoked or expire early; one fresh login per call, then give up.
        if (error instanceof GenesysApiError && error.status === 401 && !loggedInAgain) {
          loggedInAgain = true;
          this.tokenExpiresAt = 0;
          this.options.onRetry?.({ operation, attempt: 1, reason: '401: logging in again' });
          await this.login();
          return bodyOf<T>(
            await fn().catch((again: unknown) => {
              throw toGenesysError(operation, again);
            }),
          );
        }
        throw error;
      }
    });
  }

  private async loginOnce(): Promise<void> {
    try {
      const auth = await this.api.loginClientCredentialsGrant(
        this.options.clientId,
        this.options.clientSecret,
      );
      this.tokenExpiresAt = auth.tokenExpiryTime;
    } catch (rejected) {
      const error = toGenesysError('log in', rejected);
      if (error instanceof GenesysApiError && !error.retryable) {
        throw new GenesysLoginError(error.status, error.detail);
      }
      throw error;
    }
  }

  private retrying<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const maxRetryAfterMs = this.options.maxRetryAfterMs ?? 120_000;
    return backOff(fn, {
      numOfAttempts: this.options.maxTries ?? 5,
      startingDelay: this.options.baseDelayMs ?? 500,
      maxDelay: this.options.maxDelayMs ?? 30_000,
      jitter: 'full',
      retry: async (error: unknown, attempt: number) => {
        const retryable =
          (error instanceof GenesysApiError && error.retryable) ||
          error instanceof GenesysUnreachableError;
        if (!retryable) return false;

        // The backoff step follows this wait, so the total is at least what Genesys asked.
        const waitMs = error instanceof GenesysApiError ? error.retryAfterMs : undefined;
        if (waitMs !== undefined && waitMs > maxRetryAfterMs) return false;
        this.options.onRetry?.({ operation, attempt, reason: error.message, waitMs });
        if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs));
        return true;
      },
    });
  }
}

/** With extended responses on, every SDK call resolves with `{status, body, …}`. */
function bodyOf<T>(response: T): T {
  // The SDK's typings describe the plain body; extended responses wrap it at run time.
  return (response as unknown as ExtendedResponse).body as T;
}

/** `eu_central_1` / `eu-central-1` → `mypurecloud.de`; a host is kept as it is. */
export function regionHost(region: string): string {
  const key = region.trim().replace(/-/g, '_').toLowerCase();
  const host = platformClient.PureCloudRegionHosts[key];
  if (host) return host;
  if (region.includes('.'))
    return region
      .trim()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
  const known = Object.keys(platformClient.PureCloudRegionHosts).join(', ');
  throw new Error(`GENESYS_REGION "${region}" is neither a region key (${known}) nor a host.`);
}
