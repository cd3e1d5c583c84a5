// Explicit time for the tests that start processes, servers or the stand-in terraform. Jest's default
// of 5 s suits in-process tests; on a 2-core machine busy with other work a process takes ten times
// as long to start and finish as on a quiet one, and a test that times out fails the next one too.

/** A test that starts a few processes: our commands, the stand-in terraform, git, openssl, a local server. */
export const PROCESS_TIMEOUT = 60_000;

/** A test that runs a toolchain: npm pack and install, the cdktf CLI, tsc, actionlint. */
export const TOOLCHAIN_TIMEOUT = 180_000;
