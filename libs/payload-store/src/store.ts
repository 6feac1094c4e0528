import { createHash, randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BodyRef } from '@webhook-dlq/payloads';
import { PayloadIntegrityError, PayloadMissingError, PayloadStoreError } from './errors';

export interface S3ClientOptions {
  region: string;
  /** An S3-compatible server instead of AWS; addressed path-style (`/<bucket>/<key>`). */
  endpoint?: string;
  /** Explicit credentials; by default the AWS SDK's provider chain (env, IRSA, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Tries per call, including the first. Default 3. */
  maxAttempts?: number;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 3,
    // Local servers answer on one host, not on <bucket>.<host>.
    forcePathStyle: options.endpoint !== undefined,
  });
}

export interface PayloadStoreOptions {
  bucket: string;
  /** Key prefix, e.g. `payloads/` (a lifecycle rule on it expires orphans). */
  prefix?: string;
  /** Deadline of one call, in ms. Default 2000. */
  timeoutMs?: number;
}

/**
 * Keeps bodies too large for a queue message as S3 objects, one per stored copy. Keys are
 * random, so two stores of one event never share an object and deleting one copy's body
 * never takes another's. Contents are checked against size and SHA-256 when read back.
 */
export class S3PayloadStore {
  readonly bucket: string;
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: S3Client,
    options: PayloadStoreOptions,
  ) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'payloads/';
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Stores the bytes and resolves with the pointer an envelope carries. */
  async put(body: Buffer): Promise<BodyRef> {
    const digest = createHash('sha256').update(body);
    const sha256 = digest.copy().digest('hex');
    const key = `${this.prefix}${new Date().toISOString().slice(0, 10)}/${randomUUID()}`;

    await this.call('store', key, (abortSignal) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/octet-stream',
          // S3 checks the upload against it and refuses a corrupted one.
          ChecksumSHA256: digest.digest('base64'),
        }),
        { abortSignal },
      ),
    );
    return { bucket: this.bucket, key, sizeBytes: body.length, sha256 };
  }

  /** Reads the bytes back. Throws {@link PayloadMissingError} or {@link PayloadIntegrityError}. */
  async get(ref: BodyRef): Promise<Buffer> {
    const body = await this.call(
      'read',
      ref.key,
      async (abortSignal) => {
        const output = await this.client.send(
          new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
          { abortSignal },
        );
        return Buffer.from((await output.Body?.transformToByteArray()) ?? []);
      },
      ref.bucket,
    );

    const sha256 = createHash('sha256').update(body).digest('hex');
    if (body.length !== ref.sizeBytes || sha256 !== ref.sha256) {
      throw new PayloadIntegrityError(
        `Object ${ref.key} in ${ref.bucket} is ${body.length} bytes with another digest than ` +
          `the ${ref.sizeBytes} bytes stored.`,
        ref.bucket,
        ref.key,
      );
    }
    return body;
  }

  /** Deletes the object; one already gone counts as deleted. */
  async delete(ref: BodyRef): Promise<void> {
    await this.call(
      'delete',
      ref.key,
      (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
          abortSignal,
        }),
      ref.bucket,
    );
  }

  private async call<T>(
    verb: string,
    key: string,
    fn: (abortSignal: AbortSignal) => Promise<T>,
    bucket = this.bucket,
  ): Promise<T> {
    try {
      return await fn(AbortSignal.timeout(this.timeoutMs));
    } catch (error) {
      if (isMissing(error)) {
        throw new PayloadMissingError(`Object ${key} is not in bucket ${bucket}.`, bucket, key, {
          cause: error,
        });
      }
      const message = `Could not ${verb} object ${key} in bucket ${bucket}.`;
      throw new PayloadStoreError(message, bucket, key, { cause: error });
    }
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  return (error as { name?: string } | null)?.name === 'NoSuchKey';
}
