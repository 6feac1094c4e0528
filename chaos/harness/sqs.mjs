// The local SQS server of a run (fauxqs, in its own process) and the queue calls the runs
// make themselves: creating the queue pair, reading depths, and reading what was parked.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Child, REPO_ROOT } from './children.mjs';

/** What the local server accepts; they open nothing anywhere else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The variables every app needs to reach the local server. */
export function sqsEnv(endpoint) {
  return {
    SQS_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/** Starts tools/sqs-server on a free port; resolves with the child and its endpoint. */
export async function startSqsServer() {
  const child = new Child('sqs-server', join(REPO_ROOT, 'tools', 'sqs-server', 'serve.mjs'));
  const { endpoint } = await child.waitForJsonLine((line) => 'endpoint' in line, 15_000);
  return { child, endpoint };
}

export function createClient(endpoint) {
  // The local server's queue URLs name a host that does not resolve: always use the endpoint.
  return new SQSClient({
    region: 'us-east-1',
    endpoint,
    useQueueUrlAsEndpoint: false,
    credentials: LOCAL_CREDENTIALS,
  });
}

/**
 * A DLQ and its parking queue with fresh names, the DLQ redriving to the parking queue after
 * `maxReceiveCount` receives, as the local pipeline and the CloudFormation template set it up.
 */
export async function createQueuePair(client, { maxReceiveCount = 10, prefix = 'run' } = {}) {
  const suffix = randomUUID().slice(0, 8);
  const parkingName = `${prefix}-parked-${suffix}`;
  const dlqName = `${prefix}-dlq-${suffix}`;
  const parkingUrl = await createQueue(client, parkingName, {});
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: parkingUrl, AttributeNames: ['QueueArn'] }),
  );
  const redrive = { deadLetterTargetArn: Attributes.QueueArn, maxReceiveCount };
  const dlqUrl = await createQueue(client, dlqName, { RedrivePolicy: JSON.stringify(redrive) });
  return { dlqName, dlqUrl, parkingName, parkingUrl };
}

async function createQueue(client, name, attributes) {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  return QueueUrl;
}

/** Deletes every message on the queue. */
export async function purgeQueue(client, url) {
  await client.send(new PurgeQueueCommand({ QueueUrl: url }));
}

// The same counts the local launcher reads: one definition for both.
export { queueDepth } from '../../tools/launcher/queues.mjs';

/**
 * Receives every message now visible, keeping each hidden for `holdSeconds`, and resolves
 * with body and attributes. Used at the end of a run (what was parked) and to harvest
 * envelopes the receiver wrote.
 */
export async function receiveAll(client, url, { holdSeconds = 300, remove = false } = {}) {
  const all = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: holdSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
    if (remove) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
  }
}

/** The event id of a DLQ or parked message: its attribute, else the envelope's. */
export function eventIdOf(message) {
  const attribute = message.MessageAttributes?.event_id?.StringValue;
  if (attribute) return attribute;
  try {
    return JSON.parse(message.Body ?? '').eventId ?? null;
  } catch {
    return null;
  }
}

/** Sends copies of `messages` (body and attributes) in batches of 10, `parallel` at a time. */
export async function sendCopies(client, url, messages, parallel = 8) {
  const batches = [];
  for (let start = 0; start < messages.length; start += 10) {
    batches.push(messages.slice(start, start + 10));
  }
  const sendNext = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      const { Failed = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body,
            MessageAttributes: message.MessageAttributes,
          })),
        }),
      );
      if (Failed.length > 0) throw new Error(`preload: ${Failed.length} sends failed`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, sendNext));
}

/** Makes held messages visible again at once, in batches of 10, `parallel` calls at a time. */
export async function releaseAll(client, url, messages, parallel = 8) {
  const batches = [];
  for (let start = 0; start < messages.length; start += 10) {
    batches.push(messages.slice(start, start + 10));
  }
  const releaseNext = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, releaseNext));
}
