module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'genesys-admin',
  rootDir: __dirname,
};
