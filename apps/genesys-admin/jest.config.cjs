module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'genesys-admin',
  rootDir: __dirname,
  // A local SQS server in its own process for the whole run; each test makes its own queues.
  globalSetup: '<rootDir>/../../tools/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/testing/jest-global-teardown.ts',
};
