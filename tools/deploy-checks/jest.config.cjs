module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'deploy-checks',
  rootDir: __dirname,
  // A local SQS server in its own process for the whole run: the built apps start against it.
  globalSetup: '<rootDir>/../../tools/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/testing/jest-global-teardown.ts',
};
