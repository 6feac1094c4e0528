module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'sqs',
  rootDir: __dirname,
};
