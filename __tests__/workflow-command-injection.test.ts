import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { escapeControlCharacters } from '../lib/process/problem';
import { reviewCommand } from '../lib/review/plan-review';
import { tenantsCommand } from '../lib/tenants/customer-tenant-status';
import { CONTOSO, TestProject, validInput } from './support/builders';
import { standInTerraform } from './support/plans';
import { workflowCommands } from './support/workflow-commands';

const FORGED = 'quota\r::error title=approved::all good\n  ::add-mask::x';
const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const DEPLOYER = 'dddddddd-0000-4000-8000-00000000000d';

describe('text that reaches a CI log cannot forge a workflow command', () => {
  test('the shared escaper breaks a "::" that could begin a line, and keeps one inside a word', () => {
    expect(escapeControlCharacters('::add-mask::secret')).toBe(':\\u003aadd-mask::secret');
    expect(escapeControlCharacters('a\r::error::b')).toBe('a\\u000d::error::b');
    expect(escapeControlCharacters('reason:  ::warning::x')).toBe('reason:  :\\u003awarning::x');
    expect(escapeControlCharacters('https://[2001:db8::1]:4443')).toBe('https://[2001:db8::1]:4443');
    expect(workflowCommands(escapeControlCharacters(FORGED))).toEqual([]);
  });

  describe('in the output of plan and tenants', () => {
    const project = new TestProject();
    project.writeEnvironment('prod', validInput({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER, customerTenants: [CONTOSO] }));
    project.writeEnvironment('test', validInput({ backend: AZURERM, deployingIdentityObjectId: DEPLOYER }));
    project.synth();
    const terraform = standInTerraform();
    const env = (variables: Record<string, string>) => ({ PATH: `${terraform.dir}:/usr/bin:/bin`, TF_PLUGIN_CACHE_DIR: join(terraform.dir, 'cache'), ...variables });
    afterAll(() => {
      project.remove();
      rmSync(terraform.dir, { recursive: true, force: true });
    });

    test("plan's progress lines show terraform's reason escaped", async () => {
      let stderr = '';
      const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } };
      const code = await reviewCommand('plan', ['prod', 'test'], { ...io, projectRoot: project.root, env: env({ FAKE_TERRAFORM_INIT_ERROR: FORGED }) });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^\[1\/3\] \S+: not planned: terraform init failed: Error: quota\\u000d::error title=approved::all good/m);
      expect(workflowCommands(stderr)).toEqual([]);
    }, 60_000);

    test("the tenants headline shows terraform's reason for an unknown client ID escaped", async () => {
      let stdout = '';
      const io = { stdout: { write: (text: string) => (stdout += text) }, projectRoot: project.root, cwd: project.root, env: env({ FAKE_TERRAFORM_OUTPUT_ERROR: FORGED }) };
      expect(await tenantsCommand(['prod'], io)).toBe(0);
      expect(stdout.split('\n')[0]).toContain('client ID unknown until prod is deployed (prod: terraform output failed: Error: quota\\u000d::error');
      expect(workflowCommands(stdout)).toEqual([]);
    }, 60_000);
  });
});
