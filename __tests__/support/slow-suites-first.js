// jest's test sequencer, but where it knows no durations (a fresh clone, CI) the test files that run
// toolchains start first: by default it would then order by file size, which puts these short files
// last, and the run would end with one of two cores busy for their 5-10 s and the other idle.
const Sequencer = require('@jest/test-sequencer').default;

/** Slowest first: tsc, npm pack and install with tsc again, the cdktf CLI twice, actionlint and shell steps. */
const SLOW_SUITES = ['typecheck', 'package', 'cdktf-cli', 'workflows'].map((name) => `/__tests__/${name}.test.ts`);

class SlowSuitesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const rank = (test) => {
      const index = SLOW_SUITES.findIndex((suffix) => test.path.endsWith(suffix));
      return index === -1 ? SLOW_SUITES.length : index;
    };
    return sorted.map((test, order) => ({ test, order })).sort((a, b) => rank(a.test) - rank(b.test) || a.order - b.order).map(({ test }) => test);
  }
}

module.exports = SlowSuitesFirst;
