module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'genesys-admin',
  rootDir: __dirname,
  // Tests walk real queues (each walk ends with a 1 s empty receive) and start processes on
  // two shared cores: bounds well above what they take.
  testTimeout: 30_000,
  // A local SQS server in its own process for the whole run; each test makes its own queues.
  globalSetup: '<rootDir>/../../tools/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/testing/jest-global-teardown.ts',
};
