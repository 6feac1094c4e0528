module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'payloads',
  rootDir: __dirname,
};
