import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  region: string;
  /**
   * A local or private SQS-compatible server, e.g. `http://127.0.0.1:4566`. Queue URLs
   * returned by such servers often name hosts that do not resolve, so calls go to this
   * endpoint whatever the queue URL says.
   */
  endpoint?: string;
  /** Explicit credentials; by default the AWS SDK's provider chain (env, IRSA, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Tries per call, including the first; the SDK backs off between them. Default 3. */
  maxAttempts?: number;
}

export function createSqsClient(options: SqsClientOptions): SQSClient {
  return new SQSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint ? { useQueueUrlAsEndpoint: false } : {}),
  });
}
