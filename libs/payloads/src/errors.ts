/** Why a request body could not be turned into an event. Each maps to one 4xx answer. */
export type PayloadErrorCode =
  | 'invalid_json'
  | 'invalid_encoding'
  | 'not_an_object'
  | 'invalid_shape'
  | 'missing_topic'
  | 'invalid_topic'
  | 'invalid_identity'
  | 'too_deep';

/** The body is not a Genesys event we can accept. The message says what is wrong and how to fix it. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';

  constructor(
    readonly code: PayloadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A queue message is not an envelope this version can read. Such messages are parked, not retried. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
