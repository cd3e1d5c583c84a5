/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest leaves a core free by default, which on a 2-core machine means a single worker.
  maxWorkers: '100%',
  // A worker's event loop is empty once its last test file ends (no handle is left open), but Node
  // then frees its heap, 300-400 MB of cdktf loaded once per test file, before the process ends:
  // 250-500 ms on a loaded 2-core machine, past jest's default 500 ms, after which it kills the
  // worker and blames a leak. A real leak still shows, 3 s later.
  workerGracefulExitTimeout: 3000,
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // Transpile only: types are checked once by `tsc --noEmit` in `npm test`, not again per test file.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Environment files of temporary test projects live outside the repository.
  transformIgnorePatterns: ['/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
