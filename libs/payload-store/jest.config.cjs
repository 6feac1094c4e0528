module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'payload-store',
  rootDir: __dirname,
  // The local SQS server also serves S3; each test makes its own bucket.
  globalSetup: '<rootDir>/../../tools/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/testing/jest-global-teardown.ts',
};
