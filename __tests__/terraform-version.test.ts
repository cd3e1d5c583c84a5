import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { importBlocksProblem, terraformVersion } from '../lib/process/terraform-version';
import { environment, fileCertificates, TestProject, validInput } from './support/builders';
import { setEnvironment, temporaryFolder } from './support/clean-up';
import { PROCESS_TIMEOUT } from './support/timeouts';

const bin = temporaryFolder('terraform-stand-in-');

/** A stand-in `terraform` that answers `terraform version` the way the given release does. */
function standIn(name: string, script: string): string {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

const jsonVersion = (version: string) => standIn(`terraform-${version}`, `echo '{"terraform_version":"${version}","platform":"linux_amd64"}'`);

describe('Terraform version for import blocks', () => {
  test('reads the version from `terraform version -json`', () => {
    expect(terraformVersion(jsonVersion('1.11.4'))).toEqual({ version: '1.11.4' });
  }, PROCESS_TIMEOUT);

  test('reads the version of releases without -json from their text output', () => {
    const old = standIn('terraform-0.12', 'echo "Terraform v0.12.31"; [ "$2" = "-json" ] && exit 1; exit 0');
    expect(terraformVersion(old)).toEqual({ version: '0.12.31' });
  }, PROCESS_TIMEOUT);

  test('accepts 1.5.0 and newer', () => {
    expect(importBlocksProblem(jsonVersion('1.5.0'))).toBeUndefined();
    expect(importBlocksProblem(jsonVersion('1.10.0'))).toBeUndefined();
  }, PROCESS_TIMEOUT);

  test('says which version it found when it is too old', () => {
    const binary = jsonVersion('1.4.6');
    expect(importBlocksProblem(binary)).toBe(
      `importing an existing registration needs Terraform 1.5.0 or newer (import blocks); "${binary}" is 1.4.6: upgrade Terraform`,
    );
  }, PROCESS_TIMEOUT);

  test('says so when there is no Terraform', () => {
    expect(importBlocksProblem(join(bin, 'missing'))).toBe(
      `importing an existing registration needs Terraform 1.5.0 or newer (import blocks), and "${join(bin, 'missing')}" was not found; install Terraform 1.5.0+ or set TERRAFORM_BINARY_NAME`,
    );
  }, PROCESS_TIMEOUT);
});

describe('synth of an adopting environment', () => {
  const project = new TestProject();
  const thumbprint = fileCertificates(environment())[0].thumbprint;
  project.writeEnvironment('prod', {
    tenantId: '11111111-2222-3333-4444-555555555555',
    redirectUris: ['https://restore.example.com:4443'],
    certificates: [{ source: 'file', path: 'certs/valid.cer' }],
    adopt: {
      applicationObjectId: '22222222-aaaa-4bbb-8ccc-000000000001',
      clientId: '33333333-aaaa-4bbb-8ccc-000000000001',
      scopeId: '44444444-aaaa-4bbb-8ccc-000000000001',
      servicePrincipalObjectId: '55555555-aaaa-4bbb-8ccc-000000000001',
      certificateKeyIds: { [thumbprint]: '66666666-aaaa-4bbb-8ccc-000000000001' },
    },
  });
  /** Puts a stand-in `terraform` of this version first on PATH, where both synth's check and cdktf's find it, for the test. */
  function terraformOnPath(version: string): void {
    const dir = join(bin, `path-${version}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(jsonVersion(version), join(dir, 'terraform'));
    setEnvironment({ PATH: `${dir}${delimiter}${process.env.PATH}`, TERRAFORM_BINARY_NAME: undefined });
  }
  const tenants = new TestProject();
  tenants.writeEnvironment('msp', validInput({ customerTenants: [{ name: 'contoso', tenantId: 'c0c0c0c0-0000-4000-8000-000000000001', adopt: { servicePrincipalObjectId: '55555555-aaaa-4bbb-8ccc-000000000002' } }] }));
  afterAll(() => {
    project.remove();
    tenants.remove();
  });

  test('stops with the environment file named when Terraform is older than 1.5, writing nothing', () => {
    terraformOnPath('1.4.6');
    expect(project.synthProblems()).toEqual([
      'environments/prod.ts: adopt: importing an existing registration needs Terraform 1.5.0 or newer (import blocks); "terraform" is 1.4.6: upgrade Terraform',
    ]);
    expect(() => project.readFile('cdktf.out/stacks/prod/cdk.tf.json')).toThrow();
  }, PROCESS_TIMEOUT);

  test("names a customer tenant's adopt too, which imports what the customer already has", () => {
    terraformOnPath('1.4.6');
    expect(tenants.synthProblems()).toEqual([
      'environments/msp.ts: customerTenants[0].adopt: importing an existing registration needs Terraform 1.5.0 or newer (import blocks); "terraform" is 1.4.6: upgrade Terraform',
    ]);
  }, PROCESS_TIMEOUT);

  test('writes import blocks with Terraform 1.5 or newer', () => {
    terraformOnPath('1.5.7');
    project.synth();
    const stack = JSON.parse(project.readFile('cdktf.out/stacks/prod/cdk.tf.json'));
    expect(stack.import).toContainEqual({
      to: 'azuread_application_registration.portal',
      id: '/applications/22222222-aaaa-4bbb-8ccc-000000000001',
    });
    expect(stack.import).toHaveLength(9);
  }, PROCESS_TIMEOUT);
});
