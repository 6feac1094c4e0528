module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dlq-worker',
  rootDir: __dirname,
};
