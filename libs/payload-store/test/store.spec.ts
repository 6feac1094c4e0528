import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  PayloadIntegrityError,
  PayloadMissingError,
  PayloadStoreError,
  S3PayloadStore,
} from '../src';
import { freshPayloadStore, objectKeys, testS3Client } from '../../../tools/testing/s3-kit';
import { startSqsServer } from '../../../tools/testing/sqs-server-process';

describe('S3PayloadStore against a local S3', () => {
  it('stores a 5 MiB body and reads it back byte-identical, then deletes it', async () => {
    const { store, bucket, client } = await freshPayloadStore();
    const body = Buffer.alloc(5 * 1024 * 1024, 'é{"a":1}');

    const ref = await store.put(body);
    const read = await store.get(ref);

    expect(ref).toMatchObject({ bucket, sizeBytes: body.length });
    expect(ref.key).toMatch(/^payloads\/\d{4}-\d{2}-\d{2}\/[0-9a-f-]{36}$/);
    expect(read.equals(body)).toBe(true);

    await store.delete(ref);
    expect(await objectKeys(client, bucket)).toEqual([]);
    await expect(store.delete(ref)).resolves.toBeUndefined();
  });

  it('gives each store of the same bytes its own object', async () => {
    const { store } = await freshPayloadStore();
    const [a, b] = await Promise.all([store.put(Buffer.from('x')), store.put(Buffer.from('x'))]);
    expect(a.key).not.toBe(b.key);
    expect(a.sha256).toBe(b.sha256);
  });

  it('reports a missing object as PayloadMissingError', async () => {
    const { store } = await freshPayloadStore();
    const ref = await store.put(Buffer.from('gone soon'));
    await store.delete(ref);

    await expect(store.get(ref)).rejects.toBeInstanceOf(PayloadMissingError);
  });

  it('refuses an object that is not the body stored', async () => {
    const { store, client, bucket } = await freshPayloadStore();
    const ref = await store.put(Buffer.from('original'));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: ref.key, Body: 'replaced' }));

    await expect(store.get(ref)).rejects.toBeInstanceOf(PayloadIntegrityError);
  });

  it('fails with PayloadStoreError naming the bucket when S3 cannot be reached', async () => {
    const server = await startSqsServer();
    const client = testS3Client(server.endpoint);
    await server.stop();
    const store = new S3PayloadStore(client, { bucket: 'nowhere', timeoutMs: 1000 });

    const failure = store.put(Buffer.from('x'));

    await expect(failure).rejects.toBeInstanceOf(PayloadStoreError);
    await expect(failure).rejects.toThrow(/bucket nowhere/);
  });
});
