/** A queue call failed. `cause` holds the AWS SDK error. */
export class SqsError extends Error {
  override readonly name: string = 'SqsError';

  constructor(
    message: string,
    readonly queueName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The queue does not exist and the caller did not ask to create it. */
export class QueueNotFoundError extends SqsError {
  override readonly name = 'QueueNotFoundError';
}

/**
 * The message (body plus attributes) is larger than the queue's `MaximumMessageSize`.
 * Sending it again will not help.
 */
export class MessageTooLargeError extends SqsError {
  override readonly name = 'MessageTooLargeError';

  constructor(
    queueName: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `The message is ${sizeBytes} bytes; queue ${queueName} accepts at most ${maxBytes}.`,
      queueName,
    );
  }
}
