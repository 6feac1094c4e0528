import {
  type BatchResultErrorEntry,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type MessageAttributeValue,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { MessageTooLargeError, QueueNotFoundError, SqsError } from './errors';
import { type Logger, silentLogger } from './logger';

/** 14 days, the longest SQS keeps a message. */
export const MAX_RETENTION_SECONDS = 1_209_600;

/** SQS's limit for `DelaySeconds` on one message. */
export const MAX_DELAY_SECONDS = 900;

/** A message to send. Identity travels as message attributes so tools can read it unopened. */
export interface OutgoingMessage {
  body: string;
  eventId?: string;
  topic?: string;
  attempt?: number;
  /** 0–900; the message stays invisible this long after it is sent. */
  delaySeconds?: number;
  /** More string attributes, e.g. a park reason. */
  attributes?: Record<string, string>;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** How many times SQS has handed this message out, this time included. */
  receiveCount: number;
  /** When the message was sent to this queue (SQS's `SentTimestamp`). */
  sentAt: Date;
  /** String message attributes, e.g. `event_id`, `topic`, `attempt`. */
  attributes: Record<string, string>;
}

export interface ReceiveOptions {
  /** 1–10. Default 10. */
  maxMessages?: number;
  /** Long-poll wait, 0–20. Default 20. */
  waitTimeSeconds?: number;
  /** Overrides the queue's visibility timeout for these messages. */
  visibilityTimeoutSeconds?: number;
  /** Ends the long poll early, e.g. on shutdown. */
  signal?: AbortSignal;
}

export interface QueueDepth {
  /** Messages ready to be received. */
  visible: number;
  /** Received and not yet deleted or released. */
  inFlight: number;
  /** Sent with a delay that has not passed yet. */
  delayed: number;
}

export interface ResolveQueueOptions {
  /** Create the queue when it does not exist (14-day retention plus `attributes`). */
  create?: boolean;
  /** Queue attributes used when creating, e.g. `RedrivePolicy`. */
  attributes?: Record<string, string>;
  logger?: Logger;
  /** Per-call deadline for sends, in ms; a send that takes longer fails. Default 5000. */
  sendTimeoutMs?: number;
}

const ATTRIBUTE_KEYS = { eventId: 'event_id', topic: 'topic', attempt: 'attempt' } as const;

/** One SQS queue, resolved by name. A thin layer over `@aws-sdk/client-sqs`. */
export class SqsQueue {
  private constructor(
    private readonly client: SQSClient,
    readonly name: string,
    readonly url: string,
    /** The queue's `MaximumMessageSize`, in bytes, read when the queue was resolved. */
    readonly maxMessageBytes: number,
    private readonly logger: Logger,
    private readonly sendTimeoutMs: number,
  ) {}

  /** Finds the queue by name (creating it when told to) and reads its size limit. */
  static async resolve(
    client: SQSClient,
    name: string,
    options: ResolveQueueOptions = {},
  ): Promise<SqsQueue> {
    const logger = options.logger ?? silentLogger;
    const url = await findOrCreateUrl(client, name, options);

    const { Attributes } = await call(name, 'read attributes of', () =>
      client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }),
      ),
    );
    const maxMessageBytes = Number(Attributes?.MaximumMessageSize ?? 262_144);

    return new SqsQueue(client, name, url, maxMessageBytes, logger, options.sendTimeoutMs ?? 5000);
  }

  /** The size SQS counts for a message: body plus attribute names, types and values. */
  static sizeOf(message: OutgoingMessage): number {
    let size = Buffer.byteLength(message.body, 'utf8');
    for (const [name, value] of Object.entries(toAttributes(message))) {
      size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
      size += Buffer.byteLength(value.StringValue ?? '');
    }
    return size;
  }

  /** Sends one message. Throws {@link MessageTooLargeError} before calling SQS when it cannot fit. */
  async send(message: OutgoingMessage): Promise<string> {
    this.assertFits(message);
    const output = await call(this.name, 'send to', () =>
      this.client.send(
        new SendMessageCommand({
          QueueUrl: this.url,
          MessageBody: message.body,
          DelaySeconds: message.delaySeconds,
          MessageAttributes: toAttributes(message),
        }),
        { abortSignal: AbortSignal.timeout(this.sendTimeoutMs) },
      ),
    );
    return output.MessageId ?? '';
  }

  /**
   * Sends up to 10 messages in one call. Resolves with the entries that failed (empty when
   * all were stored); the caller decides what to do with those.
   */
  async sendBatch(messages: OutgoingMessage[]): Promise<BatchFailure[]> {
    if (messages.length === 0) return [];
    messages.forEach((message) => this.assertFits(message));

    const output = await call(this.name, 'send a batch to', () =>
      this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.url,
          Entries: messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.body,
            DelaySeconds: message.delaySeconds,
            MessageAttributes: toAttributes(message),
          })),
        }),
        { abortSignal: AbortSignal.timeout(this.sendTimeoutMs) },
      ),
    );
    return (output.Failed ?? []).map(toBatchFailure);
  }

  /** Long-polls for messages. Resolves with an empty list when the wait ends or is aborted. */
  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    if (options.signal?.aborted) return [];
    try {
      const output = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: options.maxMessages ?? 10,
          WaitTimeSeconds: options.waitTimeSeconds ?? 20,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: options.signal },
      );
      return (output.Messages ?? []).map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
        sentAt: new Date(Number(message.Attributes?.SentTimestamp ?? Date.now())),
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
            key,
            value.StringValue ?? '',
          ]),
        ),
      }));
    } catch (error) {
      if (options.signal?.aborted) return [];
      throw new SqsError(`Could not receive from queue ${this.name}.`, this.name, { cause: error });
    }
  }

  async delete(receiptHandle: string): Promise<void> {
    await call(this.name, 'delete from', () =>
      this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receiptHandle }),
      ),
    );
  }

  /** Deletes up to 10 messages. Resolves with the entries SQS did not delete. */
  async deleteBatch(
    receiptHandles: string[],
  ): Promise<Array<BatchFailure & { receiptHandle: string }>> {
    if (receiptHandles.length === 0) return [];
    const output = await call(this.name, 'delete a batch from', () =>
      this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.url,
          Entries: receiptHandles.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
          })),
        }),
      ),
    );
    return (output.Failed ?? []).map((failure) => ({
      ...toBatchFailure(failure),
      receiptHandle: receiptHandles[Number(failure.Id)],
    }));
  }

  /** Changes the visibility of up to 10 messages. Resolves with the entries that failed. */
  async changeVisibilityBatch(
    entries: Array<{ receiptHandle: string; seconds: number }>,
  ): Promise<BatchFailure[]> {
    if (entries.length === 0) return [];
    const output = await call(this.name, 'change visibility in', () =>
      this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.url,
          Entries: entries.map((entry, index) => ({
            Id: String(index),
            ReceiptHandle: entry.receiptHandle,
            VisibilityTimeout: entry.seconds,
          })),
        }),
      ),
    );
    return (output.Failed ?? []).map(toBatchFailure);
  }

  /** Makes a received message visible again after `seconds` (0 releases it at once). */
  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await call(this.name, 'change visibility in', () =>
      this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      ),
    );
  }

  /** Reads any queue attributes by name. */
  async attributes(names: string[]): Promise<Record<string, string>> {
    const output = await call(this.name, 'read attributes of', () =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.url,
          AttributeNames: names as GetQueueAttributesCommand['input']['AttributeNames'],
        }),
      ),
    );
    return output.Attributes ?? {};
  }

  /** Approximate counts, as SQS reports them (they lag by up to a minute on AWS). */
  async depth(): Promise<QueueDepth> {
    const attributes = await this.attributes([
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]);
    return {
      visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  /** Throws {@link MessageTooLargeError} when the message cannot fit on this queue. */
  assertFits(message: OutgoingMessage): void {
    const size = SqsQueue.sizeOf(message);
    if (size > this.maxMessageBytes) {
      this.logger.warn('message too large for queue', {
        queue: this.name,
        size_bytes: size,
        max_bytes: this.maxMessageBytes,
        event_id: message.eventId,
      });
      throw new MessageTooLargeError(this.name, size, this.maxMessageBytes);
    }
  }
}

/** One entry of a batch call that SQS did not carry out. */
export interface BatchFailure {
  /** Position of the entry in the batch. */
  index: number;
  /** SQS's error code, e.g. `ReceiptHandleIsInvalid`. */
  code: string;
  /** `true` when the request itself was wrong; repeating it will not help. */
  senderFault: boolean;
  /** Code and message as one line. */
  error: string;
}

function toBatchFailure(failure: BatchResultErrorEntry): BatchFailure {
  const code = failure.Code ?? 'unknown';
  return {
    index: Number(failure.Id),
    code,
    senderFault: failure.SenderFault ?? false,
    error: `${code}: ${failure.Message ?? ''}`.trim(),
  };
}

function toAttributes(message: OutgoingMessage): Record<string, MessageAttributeValue> {
  const values: Record<string, string | undefined> = {
    [ATTRIBUTE_KEYS.eventId]: message.eventId,
    [ATTRIBUTE_KEYS.topic]: message.topic,
    [ATTRIBUTE_KEYS.attempt]: message.attempt === undefined ? undefined : String(message.attempt),
    ...message.attributes,
  };
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '')
      attributes[name] = { DataType: 'String', StringValue: value };
  }
  return attributes;
}

async function findOrCreateUrl(
  client: SQSClient,
  name: string,
  options: ResolveQueueOptions,
): Promise<string> {
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (!isQueueMissing(error)) {
      throw new SqsError(`Could not look up queue ${name}.`, name, { cause: error });
    }
  }

  if (!options.create) {
    throw new QueueNotFoundError(`Queue ${name} does not exist.`, name);
  }
  const { QueueUrl } = await call(name, 'create', () =>
    client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          MessageRetentionPeriod: String(MAX_RETENTION_SECONDS),
          ...options.attributes,
        },
      }),
    ),
  );
  options.logger?.info('queue created', { queue: name });
  return QueueUrl ?? '';
}

function isQueueMissing(error: unknown): boolean {
  if (error instanceof QueueDoesNotExist) return true;
  const name = (error as { name?: string; Code?: string } | null)?.name ?? '';
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}

async function call<T>(queueName: string, verb: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new SqsError(`Could not ${verb} queue ${queueName}.`, queueName, { cause: error });
  }
}
