import type { SdkCommand } from './sdk-calls';

// SQS authorises its batch calls with the single-message permission; it has no separate
// actions for them (Amazon SQS Developer Guide, "Amazon SQS batch actions").
const SQS_BATCH: Record<string, string> = {
  SendMessageBatch: 'sqs:SendMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
};

// S3 operations whose permission has another name (Amazon S3 API permissions reference).
const S3_PERMISSIONS: Record<string, string[]> = {
  PutObject: ['s3:PutObject'],
  GetObject: ['s3:GetObject'],
  HeadObject: ['s3:GetObject'],
  DeleteObject: ['s3:DeleteObject'],
  DeleteObjects: ['s3:DeleteObject'],
  CopyObject: ['s3:GetObject', 's3:PutObject'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload'],
  ListObjectsV2: ['s3:ListBucket'],
  HeadBucket: ['s3:ListBucket'],
};

/** The IAM actions that authorise one SDK command. Throws for a command with no mapping. */
export function iamActionsFor(command: SdkCommand): string[] {
  if (command.service === 'sqs') {
    return [SQS_BATCH[command.operation] ?? `sqs:${command.operation}`];
  }
  if (command.service === 's3') {
    const actions = S3_PERMISSIONS[command.operation];
    if (actions) return actions;
  }
  throw new Error(
    `${command.service}:${command.operation} (${command.site}) has no IAM mapping in ` +
      'tools/deploy-checks/src/iam.ts: add the permission it needs there and to the template',
  );
}
