module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'receiver',
  rootDir: __dirname,
};
