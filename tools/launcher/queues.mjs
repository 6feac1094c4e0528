// The two queues of the local pipeline, spoken to with the AWS SDK directly: the launcher
// creates them, the demo reads how full they are.
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** 14 days, the longest SQS keeps a message. */
export const RETENTION_SECONDS = 1_209_600;

/** Receives of one DLQ message before SQS itself moves it to the parking queue. */
export const MAX_RECEIVE_COUNT = 10;

/** What the embedded server accepts; they open nothing anywhere else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A client for `endpoint`. Local servers hand out queue URLs naming hosts that do not resolve
 * (fauxqs: sqs.us-east-1.localhost), so every call goes to the endpoint instead. Credentials
 * are given only for the embedded server; otherwise the SDK's default chain finds them.
 */
export function createClient({ endpoint, region, embedded }) {
  return new SQSClient({
    region,
    endpoint,
    useQueueUrlAsEndpoint: false,
    maxAttempts: 3,
    ...(embedded ? { credentials: LOCAL_CREDENTIALS } : {}),
  });
}

/**
 * Creates the parking queue and the DLQ when they are missing, the DLQ redriving to the
 * parking queue. CreateQueue with the same attributes is a no-op on an existing queue; a queue
 * that exists with other attributes is used as it is, with a notice.
 */
export async function ensureQueues(client, { dlqName, parkingName }, notice) {
  const retention = { MessageRetentionPeriod: String(RETENTION_SECONDS) };
  const parkingUrl = await ensureQueue(client, parkingName, retention, notice);

  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: parkingUrl, AttributeNames: ['QueueArn'] }),
  );
  const parkingArn = Attributes?.QueueArn;
  if (!parkingArn) throw new Error(`queue ${parkingName} reported no QueueArn`);

  const redrivePolicy = JSON.stringify({
    deadLetterTargetArn: parkingArn,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  const dlqUrl = await ensureQueue(
    client,
    dlqName,
    { ...retention, RedrivePolicy: redrivePolicy },
    notice,
  );
  return { dlqUrl, parkingUrl };
}

async function ensureQueue(client, name, attributes, notice) {
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return QueueUrl;
  } catch (error) {
    if (!isNameTaken(error)) throw new Error(`could not create queue ${name}`, { cause: error });
    notice(`queue ${name} already exists with other attributes; using it as it is`);
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    return QueueUrl;
  }
}

function isNameTaken(error) {
  const name = error?.name ?? '';
  return name === 'QueueNameExists' || name === 'QueueAlreadyExists';
}

export async function queueUrl(client, name) {
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  return QueueUrl;
}

/** Approximate counts: ready, received and not yet settled, sent with a delay not yet over. */
export async function queueDepth(client, url) {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  const delayed = Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  return { visible, inFlight, delayed, total: visible + inFlight + delayed };
}

/**
 * Looks at every message now on a queue without taking any away: each is received with a
 * short visibility timeout and released again at once. Resolves with the event id of each
 * (from the `event_id` attribute, else from the envelope) and when it was sent.
 */
export async function peekEvents(client, url) {
  const seen = [];
  const handles = [];
  try {
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) return seen;
      for (const message of Messages) {
        handles.push(message.ReceiptHandle);
        seen.push({
          eventId: eventIdOf(message),
          sentAt: Number(message.Attributes?.SentTimestamp ?? 0),
        });
      }
    }
  } finally {
    await release(client, url, handles);
  }
}

function eventIdOf(message) {
  const attribute = message.MessageAttributes?.event_id?.StringValue;
  if (attribute) return attribute;
  try {
    return JSON.parse(message.Body ?? '').eventId ?? null;
  } catch {
    return null;
  }
}

async function release(client, url, handles) {
  for (let start = 0; start < handles.length; start += 10) {
    const batch = handles.slice(start, start + 10);
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: batch.map((handle, index) => ({
          Id: String(index),
          ReceiptHandle: handle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}
