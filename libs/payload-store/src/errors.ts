/** An S3 call for a stored body failed. `cause` holds the AWS SDK error. */
export class PayloadStoreError extends Error {
  override readonly name: string = 'PayloadStoreError';

  constructor(
    message: string,
    readonly bucket: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The object is not there: it expired under the bucket's lifecycle rule, or the event was
 * delivered and its body deleted. Asking again will not bring it back.
 */
export class PayloadMissingError extends PayloadStoreError {
  override readonly name = 'PayloadMissingError';
}

/** The object read back is not the body that was stored (size or SHA-256 differ). */
export class PayloadIntegrityError extends PayloadStoreError {
  override readonly name = 'PayloadIntegrityError';
}
