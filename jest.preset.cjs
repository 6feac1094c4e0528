// Shared Jest settings: TypeScript through ts-jest, Node environment, tests under src/ and test/.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  moduleNameMapper: {
    '^@webhook-dlq/(payloads|sqs|delivery|runtime|payload-store)$':
      '<rootDir>/../../libs/$1/src/index.ts',
  },
};
