import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Clean-up that runs whatever becomes of the test. Registered inside a test (or a beforeEach), it runs
 * in afterEach; registered in a describe body or a beforeAll, it runs in afterAll, after the file's
 * tests. Never clean up at the end of a test body or in a `finally`: when a test times out, jest
 * starts the next test while the timed-out one still waits, so its `finally` has not run yet, and
 * the next test finds the files, variables, servers and processes the last one left. Clean-ups run
 * last registered first, each awaited (stopping a local server is); one that fails fails the test,
 * after the others have run.
 *
 * This file registers its own afterEach and afterAll when it is imported, so import it at the top of
 * a test file (builders.ts does), never from inside a test.
 */
export function onCleanUp(clean: () => unknown): void {
  (inTest ? afterTest : afterFile).push(clean);
}

/** A new empty folder under the system's temporary folder, removed with its contents by onCleanUp. */
export function temporaryFolder(prefix = 'restore-portal-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  onCleanUp(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * Sets environment variables of this process (undefined unsets one), put back as they were by
 * onCleanUp. For code under test that reads process.env itself, such as a runner finding terraform
 * on PATH; a child process is better given its own `env`.
 */
export function setEnvironment(variables: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  onCleanUp(() => assignEnvironment(saved));
  assignEnvironment(variables);
}

function assignEnvironment(variables: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

let inTest = false;
type CleanUp = () => unknown;
const afterTest: CleanUp[] = [];
const afterFile: CleanUp[] = [];

async function runAll(cleanUps: CleanUp[]): Promise<void> {
  const failures: unknown[] = [];
  for (const clean of cleanUps.splice(0).reverse()) {
    try {
      await clean();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} clean-ups failed`);
}

// The outermost hooks: a beforeEach of the test file runs after this one, so what it registers is
// cleaned after the test too.
beforeEach(() => {
  inTest = true;
});
afterEach(() => {
  inTest = false;
  return runAll(afterTest);
});
afterAll(() => runAll(afterFile));
