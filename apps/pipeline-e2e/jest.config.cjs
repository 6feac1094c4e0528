module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'pipeline-e2e',
  rootDir: __dirname,
};
