export { PayloadIntegrityError, PayloadMissingError, PayloadStoreError } from './errors';
export {
  createS3Client,
  type PayloadStoreOptions,
  S3PayloadStore,
  type S3ClientOptions,
} from './store';
