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
  testSequencer: '<rootDir>/__tests__/support/slow-suites-first.js',
  testMatch: ['**/*.test.ts'],
  // Transpile only, with SWC and the options bin/register-ts.js gives it, so that tests run the code as
  // the commands run it; types are checked once, by `tsc --noEmit` in `npm test`. SWC takes about a
  // millisecond a file and loads no TypeScript compiler into the workers, which matters on a fresh
  // clone and for the environment files tests write, new files every run.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { swcrc: false, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: 'inline' },
    ],
  },
  // Environment files of temporary test projects live outside the repository.
  transformIgnorePatterns: ['/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
