import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, S3PayloadStore } from '@webhook-dlq/payload-store';
import { LOCAL_CREDENTIALS, testSqsEndpoint } from './sqs-kit';

/** A client for the S3 the local test server (fauxqs) also serves. */
export function testS3Client(endpoint = testSqsEndpoint()): S3Client {
  return createS3Client({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
}

/** A bucket no other test uses, and a store writing to it. */
export async function freshPayloadStore(client = testS3Client(), timeoutMs = 5000) {
  const bucket = `test-payloads-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const store = new S3PayloadStore(client, { bucket, prefix: 'payloads/', timeoutMs });
  return { bucket, store, client };
}

/** Keys of every object now in the bucket. */
export async function objectKeys(client: S3Client, bucket: string): Promise<string[]> {
  const output = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (output.Contents ?? []).map((object) => object.Key ?? '');
}
