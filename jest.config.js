/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest leaves a core free by default, which on a 2-core machine means a single worker.
  maxWorkers: '100%',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Transpile only: types are checked once by `tsc --noEmit` in `npm test`, not again per test file.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Environment files of temporary test projects live outside the repository.
  transformIgnorePatterns: ['/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
