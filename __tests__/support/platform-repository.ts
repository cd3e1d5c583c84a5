import { chmodSync, copyFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

/** The stand-in Azure CLI's answer to one call, as support/stand-in-az.js gives it. */
type AzAnswer = { status: number; stdout: string; stderr: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handle } = require('./stand-in-az.js') as { handle: (args: string[], dir: string, env: Record<string, string>) => AzAnswer };

/**
 * A folder holding the stand-in Azure CLI as `az` (support/stand-in-az.sh): put it first on PATH, with
 * `env`. It logs its calls to calls.log and keeps what it made in state.json there. Each call is answered
 * by support/stand-in-az.js in this process, through a socket on 127.0.0.1, so a test must not wait for
 * az synchronously (spawnSync): run bash and the commands asynchronously. `close` ends the listener.
 */
export async function standInAz(): Promise<{ readonly dir: string; readonly env: Record<string, string>; close(): Promise<void> }> {
  const dir = temporaryFolder('stand-in-az-');
  copyFileSync(join(__dirname, 'stand-in-az.sh'), join(dir, 'az'));
  chmodSync(join(dir, 'az'), 0o755);
  const fake = { FAKE_AZ_TENANT: TENANT, FAKE_AZ_SUBSCRIPTION: '5b5b5b5b-0000-4000-8000-000000000005', FAKE_AZ_USER: 'eeeeeeee-0000-4000-8000-00000000000e' };
  const server = createServer((socket) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const fields = received.toString('utf8').split('\0');
      const count = Number(fields[0]);
      if (fields.length < count + 2) return; // the last argument has not ended yet
      let answer: AzAnswer;
      try {
        answer = handle(fields.slice(1, count + 1), dir, fake);
      } catch (error) {
        answer = { status: 2, stdout: '', stderr: `stand-in az failed: ${String(error)}\n` };
      }
      socket.end(`${answer.status}\0${answer.stdout}\0${answer.stderr}\0`);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    dir,
    env: { ...fake, FAKE_AZ_PORT: String(port) },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The same stand-in, called without a process between: for tests of what --apply does with what exists,
 * where the Azure CLI's own handling (azureCli) is not under test.
 */
export function inProcessAz(dir: string, env: Record<string, string>): AzureCli {
  return {
    run: async (args) => {
      const result = handle([...args], dir, env);
      if (result.status !== 0) throw new UserError(`az ${args.slice(0, 3).join(' ')} failed (exit code ${result.status}): ${result.stderr.trim()}`);
      return result.stdout;
    },
  };
}
