// The one test that reads environments/: whatever the user keeps there (the example, their own
// environments, or none of them yet) must load, validate and synthesize. It pins no content: the
// product's own behaviour is tested on fixture environments in temporary projects.
import { join } from 'node:path';
import { environmentFiles, loadEnvironments } from '../lib/environment/environment-files';
import { formatProblem } from '../lib/process/problem';
import { synthProject } from '../lib/synthesis/synth';
import { REPO_ROOT } from './support/builders';
import { temporaryFolder } from './support/clean-up';

const ENVIRONMENTS = join(REPO_ROOT, 'environments');

describe('the environments in environments/', () => {
  // The real clock: a certificate that has expired fails here, as it fails synth.
  const { environments, problems } = loadEnvironments({ projectRoot: REPO_ROOT });

  test('are all valid, and no file there looks like an environment without being read', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    expect(environments.map((e) => e.file)).toEqual(environmentFiles(ENVIRONMENTS).map((f) => `environments/${f.slice(ENVIRONMENTS.length + 1)}`));
  });

  test('synthesize together, one stack per environment and customer tenant', () => {
    const result = synthProject({ projectRoot: REPO_ROOT, outdir: temporaryFolder('user-environments-') });
    expect(result.stacks).toEqual(environments.flatMap((e) => [e.name, ...e.customerTenants.map((t) => t.stackName)]));
  });
});
