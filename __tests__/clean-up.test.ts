import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { testApp } from './support/builders';
import { onCleanUp, setEnvironment, temporaryFolder } from './support/clean-up';

// The test support's clean-up: what one test leaves must be gone when the next starts, even when it
// timed out, so that one slow test on a busy machine does not fail the tests after it.
describe('clean-up registered with onCleanUp', () => {
  const forTheFile = temporaryFolder();
  let forOneTest: string;
  const order: string[] = [];

  test('a temporary folder and changed environment variables last for the test', () => {
    forOneTest = temporaryFolder();
    setEnvironment({ RESTORE_PORTAL_CLEAN_UP_TEST: 'set', HOME: '/nowhere' });
    setEnvironment({ HOME: '/elsewhere' });
    onCleanUp(() => order.push('first registered'));
    onCleanUp(() => order.push('last registered'));
    expect(existsSync(forOneTest)).toBe(true);
    expect(process.env.HOME).toBe('/elsewhere');
  });

  test('are undone before the next test starts, last registered first', () => {
    expect(existsSync(forOneTest)).toBe(false);
    expect(process.env.RESTORE_PORTAL_CLEAN_UP_TEST).toBeUndefined();
    expect(process.env.HOME).not.toMatch(/^\/(nowhere|elsewhere)$/);
    expect(order).toEqual(['last registered', 'first registered']);
  });

  test('what a describe body registers lasts until the file is done', () => {
    expect(existsSync(forTheFile)).toBe(true);
  });
});

// cdktf's Testing.app() makes a cdktf.outdir.* folder in the system's temporary folder and never
// removes it: a few hundred were left by every test run before testApp.
describe("testApp: cdktf's testing app", () => {
  let outdir: string;

  test('writes into a folder of the test', () => {
    outdir = testApp().outdir;
    expect(existsSync(outdir)).toBe(true);
    expect(basename(outdir)).toMatch(/^cdktf-test-app-/);
  });

  test('whose folder is gone when the next test starts', () => {
    expect(existsSync(outdir)).toBe(false);
  });
});
