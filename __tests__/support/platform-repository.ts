import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AzureCli } from '../../lib/bootstrap/azure-cli';
import { UserError } from '../../lib/process/command-line';
import { CONTOSO, FABRIKAM, TENANT, TestProject, validInput } from './builders';
import { temporaryFolder } from './clean-up';

/** The deploying identity's service principal the environment files name. */
export const DEPLOYER = 'dddddddd-0000-4000-8000-00000000000d';
export const STATE = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
export const HCP_TERRAFORM = { type: 'cloud', organization: 'contoso', workspace: 'msp' };

/**
 * A platform team's repository as issue 21 describes it: `prod` with a certificate file and azurerm
 * state, `lab` with a self-signed certificate (kept out of CI by default, its state in the same
 * container), and `msp`, a service provider with two customers and its state in HCP Terraform.
 */
export function platformRepository(): TestProject {
  const project = new TestProject();
  project.writeEnvironment('prod', validInput({ backend: STATE, deployingIdentityObjectId: DEPLOYER }));
  project.writeEnvironment('lab', validInput({ backend: { ...STATE, key: 'lab.tfstate' }, certificates: [{ source: 'selfSigned', name: 'current' }] }));
  project.writeEnvironment('msp', validInput({ backend: HCP_TERRAFORM, deployingIdentityObjectId: DEPLOYER, customerTenants: [CONTOSO, FABRIKAM] }));
  return project;
}

export { TENANT };

/**
 * A folder holding the stand-in Azure CLI (support/stand-in-az.js) as `az`: put it first on PATH; it
 * logs its calls to calls.log and keeps what it made in state.json there.
 */
export function standInAz(): { readonly dir: string; readonly env: Record<string, string> } {
  const dir = temporaryFolder('stand-in-az-');
  copyFileSync(join(__dirname, 'stand-in-az.js'), join(dir, 'az'));
  chmodSync(join(dir, 'az'), 0o755);
  return { dir, env: { FAKE_AZ_TENANT: TENANT, FAKE_AZ_SUBSCRIPTION: '5b5b5b5b-0000-4000-8000-000000000005', FAKE_AZ_USER: 'eeeeeeee-0000-4000-8000-00000000000e' } };
}

/**
 * The same stand-in, answering in this process: for tests of what --apply does with what exists, where
 * a process per az call (about 60 ms of CPU each) would cost seconds.
 */
export function inProcessAz(dir: string, env: Record<string, string>): AzureCli {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handle } = require('./stand-in-az.js') as { handle: (args: string[], dir: string, env: Record<string, string>) => { status: number; stdout: string; stderr: string } };
  return {
    run: async (args) => {
      const result = handle([...args], dir, env);
      if (result.status !== 0) throw new UserError(`az ${args.slice(0, 3).join(' ')} failed (exit code ${result.status}): ${result.stderr.trim()}`);
      return result.stdout;
    },
  };
}
