import { loadEnvironments } from '../lib/environment/environment-files';
import { REPO_ROOT, synthStack } from './support/builders';

// Certificates are checked against the real clock here: a shipped example that expires must fail.
const { environments, problems } = loadEnvironments({ projectRoot: REPO_ROOT });

test('the shipped environments are valid', () => {
  expect(problems).toEqual([]);
  expect(environments.map((e) => e.name)).toContain('example');
});

test.each(environments.map((e) => [e.name, e] as const))('environments/%s.ts synthesizes as reviewed', (_, env) => {
  expect(synthStack(env)).toMatchSnapshot();
});
