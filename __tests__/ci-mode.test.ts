import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { formatProblem } from '../lib/process/problem';
import { parse, problemsOf, validInput } from './support/builders';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const CLOUD = { type: 'cloud', organization: 'contoso', workspace: 'prod' };
const DEPLOYER = 'dddddddd-0000-4000-8000-00000000000d';
const SELF_SIGNED = [{ source: 'selfSigned', name: 'current' }];

const ciOf = (overrides: Record<string, unknown>) => parse(validInput({ deployingIdentityObjectId: DEPLOYER, ...overrides })).environment?.ci;
const warningsOn = (path: string, overrides: Record<string, unknown>) =>
  parse(validInput({ deployingIdentityObjectId: DEPLOYER, ...overrides }))
    .warnings.filter((w) => w.path === path)
    .map(formatProblem);

describe('ci: how the workflows treat an environment', () => {
  test('left out, an environment with file certificates and remote state is planned, checked and applied by the workflows', () => {
    expect(ciOf({ backend: AZURERM })).toBe('apply');
    expect(ciOf({ backend: CLOUD })).toBe('apply');
  });

  test("left out, a self-signed certificate keeps the environment out of every workflow: its private key is in the state CI's plan identity would read", () => {
    expect(ciOf({ backend: AZURERM, certificates: SELF_SIGNED })).toBe('workstation');
    expect(ciOf({ backend: AZURERM, certificates: [{ source: 'file', path: 'certs/valid.cer' }, ...SELF_SIGNED] })).toBe('workstation');
  });

  test('left out, local state keeps the environment out of every workflow: no CI job has the file', () => {
    expect(ciOf({})).toBe('workstation');
  });

  test('apply, plan and workstation may be chosen', () => {
    for (const ci of ['apply', 'plan', 'workstation']) expect(ciOf({ backend: AZURERM, ci })).toBe(ci);
    expect(ciOf({ ci: 'workstation' })).toBe('workstation');
  });

  test('choosing CI for a self-signed certificate is allowed, with a warning that names the risk', () => {
    expect(ciOf({ backend: AZURERM, certificates: SELF_SIGNED, ci: 'plan' })).toBe('plan');
    expect(warningsOn('ci', { backend: AZURERM, certificates: SELF_SIGNED, ci: 'apply' })).toEqual([
      expect.stringMatching(/^environments\/test\.ts: ci: is "apply" for an environment with a self-signed certificate: CI's plan identity reads this environment's state with every pull request's own code, and the state holds the certificate's private key/),
    ]);
    expect(warningsOn('ci', { backend: AZURERM, ci: 'apply' })).toEqual([]);
  });

  test('CI with local state is an error naming the file and the field: every run would register a new application', () => {
    expect(problemsOf(validInput({ ci: 'apply' }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: ci: is "apply", but the environment keeps its state in a local file, which no CI job has: every run would start from empty state and register a new application; set backend to/),
    ]);
    expect(problemsOf(validInput({ ci: 'plan' }))).toEqual([expect.stringMatching(/^environments\/test\.ts: ci: is "plan", but the environment keeps its state in a local file/)]);
  });

  test('an example is never planned, so its ci is not checked against its local state', () => {
    expect(parse(validInput({ tenantId: EXAMPLE_TENANT_ID, ci: 'apply' })).problems).toEqual([]);
  });

  test.each([['yes'], [true], [''], ['Apply'], [{ mode: 'apply' }], [null]])('%j is refused, naming the file, the field and what is allowed', (ci) => {
    expect(problemsOf(validInput({ backend: AZURERM, ci }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: ci: must be one of "apply", "plan", "workstation" \(how the GitHub workflows treat the environment\); got /),
    ]);
  });

  test("a cloud backend on a host with a port cannot get a token in CI (Terraform reads TF_TOKEN_ variables by host name only): a warning says so", () => {
    expect(warningsOn('backend.hostname', { backend: { ...CLOUD, hostname: 'tfe.contoso.com:8443' } })).toEqual([
      expect.stringMatching(/^environments\/test\.ts: backend\.hostname: has a port: Terraform reads the token of such a host only from its credentials file/),
    ]);
    expect(warningsOn('backend.hostname', { backend: { ...CLOUD, hostname: 'tfe.contoso.com' } })).toEqual([]);
  });
});
