import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapCommand } from '../lib/bootstrap/bootstrap-command';
import { azureCli } from '../lib/bootstrap/azure-cli';
import { shellWord } from '../lib/bootstrap/az-command';
import { UserError } from '../lib/process/command-line';
import { InputError } from '../lib/process/problem';
import { CONTOSO, FABRIKAM, validInput } from './support/builders';
import { runInBackground } from './support/commands';
import { DEPLOYER, inProcessAz, platformRepository, standInAz, STATE, TENANT } from './support/platform-repository';
import { PROCESS_TIMEOUT } from './support/timeouts';

const REPOSITORY = ['--repository', 'contoso/platform-restore-portal'];
/** An application someone registered under the name an identity of the set-up has. */
const SQUATTED = 'b1b1b1b1-0000-4000-8000-0000000000b1';
const GRAPH = '00000003-0000-0000-c000-000000000000';
const ROLE = {
  directoryRead: '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  applicationRead: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  ownedBy: '18a4783c-866b-4cc7-a460-3d5e5662c884',
  readWriteAll: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  grants: '8e8e4742-1d95-4f68-9d56-6ee75648c72a',
};

const project = platformRepository();
let az: Awaited<ReturnType<typeof standInAz>>;
let env: Record<string, string>;
beforeAll(async () => {
  az = await standInAz();
  env = { ...az.env, PATH: `${az.dir}:/usr/bin:/bin` };
});
afterAll(async () => {
  project.remove();
  await az.close();
  rmSync(az.dir, { recursive: true, force: true });
});

/** Runs a bash script with the stand-in az on PATH; not spawnSync: az is answered in this process. */
const bash = (script: string) => runInBackground('bash', [script], { env });
afterEach(() => {
  for (const file of ['calls.log', 'state.json']) rmSync(join(az.dir, file), { force: true });
});

/**
 * Runs the command as `npm run bootstrap` would. `az` is the stand-in on PATH (a process per call)
 * where the Azure CLI itself is under test, else the same stand-in answering in this process.
 */
async function bootstrap(argv: readonly string[], projectRoot = project.root, how: 'path' | 'in-process' = 'in-process') {
  const out = { stdout: '', stderr: '' };
  const code = await bootstrapCommand(argv, {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    projectRoot,
    az: how === 'path' ? azureCli({ env, stderr: { write: (text: string) => (out.stderr += text) } }) : inProcessAz(az.dir, env),
  });
  return { code, ...out };
}
const az_ = (...args: string[]) => inProcessAz(az.dir, env).run(args);
const calls = (): string[][] => (existsSync(join(az.dir, 'calls.log')) ? readFileSync(join(az.dir, 'calls.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : []);
const state = () => JSON.parse(readFileSync(join(az.dir, 'state.json'), 'utf8'));
/** The commands that make something, as az would be called. */
const MAKES = /^(ad app create|ad app update|ad sp create|ad app permission add|role assignment create|ad app federated-credential create|rest --method post)/;
const makes = () => calls().map((c) => c.join(' ')).filter((c) => MAKES.test(c));

describe('npm run bootstrap -- prod msp: the Azure set-up of the workflows, printed', () => {
  test('is a complete, ordered script: identities, their Graph permissions and consent, storage roles, every federated credential subject, then each customer tenant', async () => {
    const result = await bootstrap(['prod', 'msp', ...REPOSITORY]);
    expect(result.code).toBe(0);
    const commands = result.stdout.split('\n').filter((line) => !line.startsWith('#') && line.includes('az '));
    const consent = (principal: string, graph: string, role: string) =>
      `az rest --method post --url "https://graph.microsoft.com/v1.0/servicePrincipals/\${${graph}}/appRoleAssignedTo" --headers Content-Type=application/json --body "{\\"principalId\\": \\"\${${principal}}\\", \\"resourceId\\": \\"\${${graph}}\\", \\"appRoleId\\": \\"${role}\\"}"`;
    const scope = '"${STATE_1}/blobServices/default/containers/tfstate"';
    const application = (name: string) =>
      `az rest --method post --url https://graph.microsoft.com/v1.0/applications --headers Content-Type=application/json --body '{"displayName":"${name}","signInAudience":"AzureADMultipleOrgs"}' --query appId --output tsv`;
    const credential = (app: string, name: string, subject: string) =>
      `az ad app federated-credential create --id "$${app}" --parameters '{"name":"${name}","issuer":"https://token.actions.githubusercontent.com","subject":"repo:contoso/platform-restore-portal:${subject}","audiences":["api://AzureADTokenExchange"]}'`;
    const customer = (tenantId: string) => [
      `az login --tenant ${tenantId} --allow-no-subscriptions`,
      `TENANT_GRAPH_SP_ID=$(az ad sp show --id ${GRAPH} --query id --output tsv)`,
      'TENANT_PLAN_SP_ID=$(az ad sp create --id "$PLAN_APP_ID" --query id --output tsv)',
      consent('TENANT_PLAN_SP_ID', 'TENANT_GRAPH_SP_ID', ROLE.directoryRead),
      'TENANT_DEPLOY_SP_ID=$(az ad sp create --id "$DEPLOY_APP_ID" --query id --output tsv)',
      consent('TENANT_DEPLOY_SP_ID', 'TENANT_GRAPH_SP_ID', ROLE.readWriteAll),
      consent('TENANT_DEPLOY_SP_ID', 'TENANT_GRAPH_SP_ID', ROLE.grants),
    ];
    expect(commands).toEqual([
      'HOME_SUBSCRIPTION=$(az account show --query id --output tsv)',
      `PLAN_APP_ID=$(${application('restore-portal-plan')})`,
      'PLAN_SP_ID=$(az ad sp create --id "$PLAN_APP_ID" --query id --output tsv)',
      `az ad app permission add --id "$PLAN_APP_ID" --api ${GRAPH} --api-permissions ${ROLE.directoryRead}=Role ${ROLE.applicationRead}=Role`,
      `DEPLOY_APP_ID=$(${application('restore-portal-deploy')})`,
      'DEPLOY_SP_ID=$(az ad sp create --id "$DEPLOY_APP_ID" --query id --output tsv)',
      `az ad app permission add --id "$DEPLOY_APP_ID" --api ${GRAPH} --api-permissions ${ROLE.applicationRead}=Role ${ROLE.ownedBy}=Role ${ROLE.readWriteAll}=Role ${ROLE.grants}=Role`,
      `GRAPH_SP_ID=$(az ad sp show --id ${GRAPH} --query id --output tsv)`,
      consent('PLAN_SP_ID', 'GRAPH_SP_ID', ROLE.directoryRead),
      consent('PLAN_SP_ID', 'GRAPH_SP_ID', ROLE.applicationRead),
      consent('DEPLOY_SP_ID', 'GRAPH_SP_ID', ROLE.applicationRead),
      consent('DEPLOY_SP_ID', 'GRAPH_SP_ID', ROLE.ownedBy),
      consent('DEPLOY_SP_ID', 'GRAPH_SP_ID', ROLE.grants),
      'ME=$(az ad signed-in-user show --query id --output tsv)',
      'STATE_1=$(az storage account show --name contosotfstate --query id --output tsv)',
      `az role assignment create --assignee-object-id "$PLAN_SP_ID" --assignee-principal-type ServicePrincipal --role 'Storage Blob Data Reader' --scope ${scope}`,
      `az role assignment create --assignee-object-id "$DEPLOY_SP_ID" --assignee-principal-type ServicePrincipal --role 'Storage Blob Data Contributor' --scope ${scope}`,
      `az role assignment create --assignee-object-id "$ME" --assignee-principal-type User --role 'Storage Blob Data Contributor' --scope ${scope}`,
      credential('PLAN_APP_ID', 'github-pull-request', 'pull_request'),
      credential('PLAN_APP_ID', 'github-main', 'ref:refs/heads/main'),
      credential('DEPLOY_APP_ID', 'github-environment-msp', 'environment:msp'),
      credential('DEPLOY_APP_ID', 'github-environment-prod', 'environment:prod'),
      ...customer(CONTOSO.tenantId),
      ...customer(FABRIKAM.tenantId),
      'az account set --subscription "$HOME_SUBSCRIPTION"',
    ]);
  });

  test('ends with what is left to do by hand, which the script prints with the IDs it made: the repository variables, the GitHub environments, deployingIdentityObjectId and the HCP Terraform token', async () => {
    const { stdout } = await bootstrap(['prod', 'msp', ...REPOSITORY]);
    const tail = stdout.slice(stdout.indexOf('# Then, by hand'));
    expect(tail.split('\n')[0]).toBe('# Then, by hand (printed with the IDs made above):');
    // What the commands above put into the variables, as running the script would.
    const made = 'set -eu; HOME_SUBSCRIPTION=sub-1; PLAN_APP_ID=plan-app-1; DEPLOY_APP_ID=deploy-app-1; DEPLOY_SP_ID=deploy-sp-1';
    const run = spawnSync('bash', ['-c', `${made}\n${tail}`], { encoding: 'utf8', timeout: PROCESS_TIMEOUT });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        '',
        'Then, by hand:',
        'In GitHub, contoso/platform-restore-portal: Settings > Secrets and variables > Actions > Variables:',
        `  AZURE_TENANT_ID = ${TENANT}`,
        '  AZURE_SUBSCRIPTION_ID = sub-1',
        '  AZURE_PLAN_CLIENT_ID = plan-app-1',
        'GitHub environment msp (required reviewers, Prevent self-review, deployment branch main): variable AZURE_CLIENT_ID = deploy-app-1',
        'GitHub environment prod (required reviewers, Prevent self-review, deployment branch main): variable AZURE_CLIENT_ID = deploy-app-1',
        `environments/msp.ts: deployingIdentityObjectId: 'deploy-sp-1' (it says ${DEPLOYER} now)`,
        `environments/prod.ts: deployingIdentityObjectId: 'deploy-sp-1' (it says ${DEPLOYER} now)`,
        'msp keeps its state in HCP Terraform or Terraform Enterprise: secret TF_TOKEN_app_terraform_io = a token that may read its workspaces, and in GitHub environment msp a secret TF_TOKEN_app_terraform_io that may write them',
        '',
      ].join('\n'),
    );
  }, PROCESS_TIMEOUT);

  test("warns that lab's self-signed key shares the container the plan identity reads", async () => {
    const { stderr } = await bootstrap(['prod', 'msp', ...REPOSITORY]);
    expect(stderr).toBe(
      "warning: environments/lab.ts keeps a self-signed certificate's private key in contosotfstate/tfstate, which restore-portal-plan reads for prod: give it a container of its own\n",
    );
  });

  test('without names, sets up every environment CI plans: lab, kept out of CI, gets no identity role', async () => {
    const named = await bootstrap(['msp', 'prod', ...REPOSITORY]);
    expect((await bootstrap(REPOSITORY)).stdout).toBe(named.stdout);
  });
});

describe('npm run bootstrap -- prod msp --apply: the same, through the Azure CLI', () => {
  test('with the Azure CLI (a stand-in on PATH) makes each thing once, in the order printed; a second run changes nothing and says it reused everything', async () => {
    const result = await bootstrap(['prod', 'msp', ...REPOSITORY, '--apply'], project.root, 'path');
    expect(result.code).toBe(0);
    // Each command that makes something ran once, as printed, with the values learnt put in.
    const printed = (await bootstrap(['prod', 'msp', ...REPOSITORY])).stdout
      .split('\n')
      .filter((line) => !line.startsWith('#') && /\baz (ad sp create|ad app permission add|role assignment create|ad app federated-credential create|rest --method post)/.test(line));
    const made = makes();
    expect(made).toHaveLength(printed.length);
    expect(made.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(printed.map((line) => line.slice(line.indexOf('az ') + 3).split(' ').slice(0, 3).join(' ')));
    const after = state();
    expect(after.apps.map((a: any) => [a.displayName, a.signInAudience])).toEqual([
      ['restore-portal-plan', 'AzureADMultipleOrgs'],
      ['restore-portal-deploy', 'AzureADMultipleOrgs'],
    ]);
    expect(after.servicePrincipals.filter((s: any) => s.appId !== GRAPH).map((s: any) => s.tenant)).toEqual([TENANT, TENANT, CONTOSO.tenantId, CONTOSO.tenantId, FABRIKAM.tenantId, FABRIKAM.tenantId]);
    expect(after.appRoleAssignments.map((a: any) => a.appRoleId)).toEqual([
      ROLE.directoryRead, ROLE.applicationRead, ROLE.applicationRead, ROLE.ownedBy, ROLE.grants,
      ...[CONTOSO, FABRIKAM].flatMap(() => [ROLE.directoryRead, ROLE.readWriteAll, ROLE.grants]),
    ]);
    expect(after.roleAssignments.map((r: any) => [r.roleDefinitionName, r.principalType])).toEqual([
      ['Storage Blob Data Reader', 'ServicePrincipal'],
      ['Storage Blob Data Contributor', 'ServicePrincipal'],
      ['Storage Blob Data Contributor', 'User'],
    ]);
    expect(after.federatedCredentials.map((c: any) => c.subject)).toEqual([
      'repo:contoso/platform-restore-portal:pull_request',
      'repo:contoso/platform-restore-portal:ref:refs/heads/main',
      'repo:contoso/platform-restore-portal:environment:msp',
      'repo:contoso/platform-restore-portal:environment:prod',
    ]);
    // Back in the home tenant, where it started.
    expect(after.tenant).toBe(TENANT);
    const planAppId = after.apps[0].appId;
    expect(result.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        `created: application restore-portal-plan (${planAppId})`,
        `signing in to tenant ${CONTOSO.tenantId}`,
        'created: federated credential github-environment-prod of restore-portal-deploy (repo:contoso/platform-restore-portal:environment:prod)',
        `  AZURE_PLAN_CLIENT_ID = ${planAppId}`,
      ]),
    );

    const before = readFileSync(join(az.dir, 'state.json'), 'utf8');
    rmSync(join(az.dir, 'calls.log'));
    const again = await bootstrap(['prod', 'msp', ...REPOSITORY, '--apply'], project.root, 'path');
    expect(again.code).toBe(0);
    expect(makes()).toEqual([]);
    expect(readFileSync(join(az.dir, 'state.json'), 'utf8')).toBe(before);
    const lines = again.stdout.split('\n').filter((line) => /^(created|completed|exists, reused): /.test(line));
    expect(lines).toHaveLength(printed.length);
    expect(lines.filter((line) => !line.startsWith('exists, reused: '))).toEqual([]);
    expect(lines[0]).toBe(`exists, reused: application restore-portal-plan (${planAppId})`);
  }, 60_000);

  test('an identity made by hand is completed, not made again: made multitenant, its missing permissions added', async () => {
    await az_('ad', 'app', 'create', '--display-name', 'restore-portal-plan', '--sign-in-audience', 'AzureADMyOrg');
    const deployAppId = (await az_('ad', 'app', 'create', '--display-name', 'restore-portal-deploy', '--query', 'appId', '--output', 'tsv')).trim();
    await az_('ad', 'app', 'permission', 'add', '--id', deployAppId, '--api', GRAPH, '--api-permissions', `${ROLE.grants}=Role`);
    const result = await bootstrap(['prod', 'msp', ...REPOSITORY, '--apply']);
    expect(result.stdout).toContain('exists, reused: application restore-portal-plan (00000000-0000-4000-8000-000000000002); made multitenant, for the other tenants it works in\n');
    expect(result.stdout).toContain('created: Microsoft Graph application permissions of restore-portal-plan (Directory.Read.All, Application.Read.All)\n');
    expect(result.stdout).toContain(
      'completed: Microsoft Graph application permissions of restore-portal-deploy (Application.Read.All, Application.ReadWrite.OwnedBy, Application.ReadWrite.All, DelegatedPermissionGrant.ReadWrite.All): added Application.Read.All, Application.ReadWrite.OwnedBy, Application.ReadWrite.All\n',
    );
    const apps = state().apps;
    expect(apps.map((a: any) => a.displayName)).toEqual(['restore-portal-plan', 'restore-portal-deploy']);
    // Each permission declared once: az ad app permission add appends whatever it is given.
    expect(apps[1].requiredResourceAccess[0].resourceAccess.map((r: any) => r.id)).toEqual([ROLE.grants, ROLE.applicationRead, ROLE.ownedBy, ROLE.readWriteAll]);
  });

  test('signed in to another tenant, it makes nothing and says where to sign in', async () => {
    await az_('login', '--tenant', CONTOSO.tenantId, '--allow-no-subscriptions');
    await expect(bootstrap(['prod', ...REPOSITORY, '--apply'])).rejects.toThrow(
      new UserError(`az is signed in to tenant ${CONTOSO.tenantId}, not the home tenant ${TENANT}: az login --tenant ${TENANT} --allow-no-subscriptions, then run again`),
    );
    expect(makes()).toEqual([]);
  });

  test('not signed in, it makes nothing and says to sign in to the home tenant', async () => {
    await az_('logout');
    await expect(bootstrap(['prod', ...REPOSITORY, '--apply'], project.root, 'path')).rejects.toThrow(
      new UserError(`az is not signed in (az account show: ERROR: Please run 'az login' to setup account.): az login --tenant ${TENANT} --allow-no-subscriptions, then run again`),
    );
    expect(makes()).toEqual([]);
  }, PROCESS_TIMEOUT);

  test('two applications of the name it would use are a mistake to settle by hand', async () => {
    writeFileSync(join(az.dir, 'state.json'), JSON.stringify({
      counter: 10, tenant: TENANT, servicePrincipals: [], appRoleAssignments: [], roleAssignments: [], federatedCredentials: [],
      apps: [1, 2].map((n) => ({ id: `a${n}`, appId: `b${n}`, tenant: TENANT, displayName: 'restore-portal-plan', requiredResourceAccess: [] })),
    }));
    await expect(bootstrap(['prod', ...REPOSITORY, '--apply'])).rejects.toThrow(/^2 applications are named restore-portal-plan: delete the extra ones/);
    expect(makes()).toEqual([]);
  });

  test('an application of the name that someone else owns is not reused: nothing is made, granted or given a role', async () => {
    // Any user may register an application, under any name: one named as the deploying identity would be.
    writeFileSync(join(az.dir, 'state.json'), JSON.stringify({
      counter: 10, tenant: TENANT, servicePrincipals: [], appRoleAssignments: [], roleAssignments: [], federatedCredentials: [],
      apps: [{ id: 'a1', appId: SQUATTED, tenant: TENANT, displayName: 'restore-portal-plan', requiredResourceAccess: [], owners: [az.env.FAKE_AZ_USER, 'deadbeef-0000-4000-8000-00000000000d'] }],
    }));
    await expect(bootstrap(['prod', ...REPOSITORY, '--apply'])).rejects.toThrow(
      /^application restore-portal-plan \(b1b1b1b1-0000-4000-8000-0000000000b1\) exists and is owned by user-deadbeef@contoso\.example \(deadbeef-0000-4000-8000-00000000000d\), not by you: an owner can add a secret and sign in as the identity/,
    );
    expect(makes()).toEqual([]);
  });

  test('the printed script makes its own applications, never patching one of the same name (as az ad app create would)', async () => {
    writeFileSync(join(az.dir, 'state.json'), JSON.stringify({
      counter: 10, tenant: TENANT, servicePrincipals: [], appRoleAssignments: [], roleAssignments: [], federatedCredentials: [],
      apps: [{ id: 'a1', appId: SQUATTED, tenant: TENANT, displayName: 'restore-portal-deploy', requiredResourceAccess: [], owners: ['deadbeef-0000-4000-8000-00000000000d'] }],
    }));
    const { stdout } = await bootstrap(['prod', ...REPOSITORY]);
    // The line that makes the deploying identity, run by bash as the script runs it.
    const create = stdout.split('\n').find((line) => line.startsWith('DEPLOY_APP_ID=$('))!;
    const script = join(az.dir, 'create.sh');
    writeFileSync(script, `set -euo pipefail\n${create}\nprintf %s "$DEPLOY_APP_ID"\n`);
    const ran = await bash(script);
    expect([ran.status, ran.stderr]).toEqual([0, '']);
    expect(ran.stdout).not.toBe(SQUATTED);
    expect(state().apps.map((a: any) => [a.appId === SQUATTED ? 'squatted' : 'made', a.displayName, a.owners])).toEqual([
      ['squatted', 'restore-portal-deploy', ['deadbeef-0000-4000-8000-00000000000d']],
      ['made', 'restore-portal-deploy', [az.env.FAKE_AZ_USER]],
    ]);
  }, PROCESS_TIMEOUT);

  test("a federated credential whose name another subject holds is not overwritten", async () => {
    await bootstrap(['prod', ...REPOSITORY, '--apply']);
    await expect(bootstrap(['prod', '--repository', 'contoso/other-repository', '--apply'])).rejects.toThrow(
      /^federated credential github-pull-request of application \S+ trusts another subject than repo:contoso\/other-repository:pull_request: delete it/,
    );
  });

  test('an answer of az that is not an ID (a line break, an @file az would read) stops the run before it is used', async () => {
    await az_('ad', 'app', 'create', '--display-name', 'restore-portal-plan', '--sign-in-audience', 'AzureADMultipleOrgs');
    const made = state();
    made.apps[0].appId = '@/etc/passwd';
    writeFileSync(join(az.dir, 'state.json'), JSON.stringify(made));
    await expect(bootstrap(['prod', ...REPOSITORY, '--apply'])).rejects.toThrow(
      new UserError('az answered "@/etc/passwd" for application restore-portal-plan, which is not an ID; nothing more is run'),
    );
    expect(calls().map((c) => c.slice(0, 3).join(' '))).toEqual(['ad app create', 'account show --output', 'account show --query', 'ad app list']);
  });

  test('az missing from PATH says what to do instead', async () => {
    const out = { stdout: '', stderr: '' };
    const run = bootstrapCommand(['prod', ...REPOSITORY, '--apply'], {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      projectRoot: project.root,
      az: azureCli({ env: { PATH: '/nonexistent' } }),
    });
    await expect(run).rejects.toThrow(new UserError('az not found on PATH: install the Azure CLI, or run the printed script instead (npm run bootstrap -- <environment>... > bootstrap.sh)'));
  }, PROCESS_TIMEOUT);
});

describe('npm run bootstrap: what reaches a shell is quoted and checked', () => {
  test.each([
    ["x'; touch pwned; '", '--plan-identity'],
    ['$(touch pwned)', '--plan-identity'],
    ['@/etc/passwd', '--deploy-identity'],
    ['restore\nportal', '--deploy-identity'],
  ])('%j as %s is refused, naming the flag', async (name, flag) => {
    await expect(bootstrap(['prod', ...REPOSITORY, flag, name])).rejects.toThrow(new RegExp(`^${flag} takes a display name of letters, digits, spaces and \\. _ \\( \\) -`));
  });

  test('an empty --plan-identity is refused, naming the flag', async () => {
    await expect(bootstrap(['prod', ...REPOSITORY, '--plan-identity', ''])).rejects.toThrow(/^--plan-identity is empty; give <name>$/);
  });

  test.each(['contoso/portal; rm -rf ~', 'contoso', '-x/portal', 'contoso/..', "contoso/portal'", 'contoso/portal\nx'])('%j as --repository is refused', async (repository) => {
    await expect(bootstrap(['prod', `--repository=${repository}`])).rejects.toThrow(/^--repository takes the GitHub repository as <owner>\/<repo>; got /);
  });

  test('a --tenant that is not a GUID is refused; environments in two tenants need it', async () => {
    await expect(bootstrap(['prod', ...REPOSITORY, '--tenant', '$(id)'])).rejects.toThrow(/^--tenant takes the tenant ID of the home tenant, a GUID; got "\$\(id\)"$/);
    const other = platformRepository();
    other.writeEnvironment('emea', validInput({ tenantId: CONTOSO.tenantId, backend: STATE }));
    await expect(bootstrap(['prod', 'emea', ...REPOSITORY], other.root)).rejects.toThrow(/^--tenant: the environments are in 2 tenants \(/);
    expect((await bootstrap(['prod', 'emea', ...REPOSITORY, '--tenant', TENANT], other.root)).stdout).toContain(`az login --tenant ${CONTOSO.tenantId} --allow-no-subscriptions`);
  });

  test('environment and customer names that a shell would read are refused where they are written', async () => {
    const hostile = platformRepository();
    hostile.writeEnvironment('edge', validInput({ backend: STATE, customerTenants: [{ name: "x';id;'", tenantId: CONTOSO.tenantId }] }));
    const error = await bootstrap(['edge', ...REPOSITORY], hostile.root).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems.map((p) => `${p.file}: ${p.path}`)).toEqual(['environments/edge.ts: customerTenants[0].name']);
  });

  test('run by bash, the script gives az display names with spaces and parentheses and a resource group exactly as written; --apply then finds it all made', async () => {
    const tricky = platformRepository();
    tricky.writeEnvironment('prod', validInput({ backend: { ...STATE, resourceGroupName: 'rg_state.(prod)' }, deployingIdentityObjectId: DEPLOYER }));
    const { stdout } = await bootstrap(['prod', ...REPOSITORY, '--plan-identity', 'Restore Portal (plan)', '--deploy-identity', 'Restore Portal (deploy)'], tricky.root);
    const script = join(az.dir, 'bootstrap.sh');
    writeFileSync(script, stdout);
    const ran = await bash(script);
    expect([ran.status, ran.stderr]).toEqual([0, '']);
    expect(calls()).toEqual(
      expect.arrayContaining([
        ['rest', '--method', 'post', '--url', 'https://graph.microsoft.com/v1.0/applications', '--headers', 'Content-Type=application/json', '--body', '{"displayName":"Restore Portal (plan)","signInAudience":"AzureADMyOrg"}', '--query', 'appId', '--output', 'tsv'],
        ['storage', 'account', 'show', '--name', 'contosotfstate', '--resource-group', 'rg_state.(prod)', '--query', 'id', '--output', 'tsv'],
      ]),
    );
    const made = makes();
    // Two identities (application, service principal, permissions), five consents, three roles, three subjects.
    expect(made).toHaveLength(2 * 3 + 5 + 3 + 3);
    rmSync(join(az.dir, 'calls.log'));
    const applied = await bootstrap(['prod', ...REPOSITORY, '--plan-identity', 'Restore Portal (plan)', '--deploy-identity', 'Restore Portal (deploy)', '--apply'], tricky.root);
    expect(makes()).toEqual([]);
    expect(applied.stdout).not.toMatch(/^(created|completed): /m);
  }, PROCESS_TIMEOUT);

  test.each(["it's", 'a"b$(id)`id`\\', 'plain', '', 'two words', '!bang', 'new\nline'])('shellWord(%j) reads back as itself in bash', (text) => {
    const echoed = spawnSync('bash', ['-c', `printf %s ${shellWord(text)}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe(text);
  }, PROCESS_TIMEOUT);
});

describe('npm run bootstrap: which environments', () => {
  test('naming an example is an error, as for plan', async () => {
    const withExample = platformRepository();
    withExample.writeEnvironment('example', validInput({ tenantId: '00000000-0000-0000-0000-000000000000' }));
    await expect(bootstrap(['example', ...REPOSITORY], withExample.root)).rejects.toThrow(/^environments\/example\.ts: an example/);
  });

  test('a workstation environment named alone gets only your role on its state: no CI identity', async () => {
    const { stdout } = await bootstrap(['lab', ...REPOSITORY]);
    expect(stdout.split('\n').filter((line) => !line.startsWith('#') && line.includes('az '))).toEqual([
      'HOME_SUBSCRIPTION=$(az account show --query id --output tsv)',
      'ME=$(az ad signed-in-user show --query id --output tsv)',
      'STATE_1=$(az storage account show --name contosotfstate --query id --output tsv)',
      `az role assignment create --assignee-object-id "$ME" --assignee-principal-type User --role 'Storage Blob Data Contributor' --scope "\${STATE_1}/blobServices/default/containers/tfstate"`,
    ]);
  });

  test('an environment with local state gives bootstrap nothing to do: one line saying so and what to add, never a script with nothing in it', async () => {
    const withLocalState = platformRepository();
    withLocalState.writeEnvironment('first', validInput());
    const nothing = 'environments/first.ts: keeps its state in a local file and no workflow runs it (ci "workstation"), so bootstrap has nothing to set up for it';
    await expect(bootstrap(['first', ...REPOSITORY], withLocalState.root)).rejects.toThrow(
      new UserError(`${nothing}; give it a backend first: { type: "azurerm", storageAccountName, containerName } (docs/ci.md, 1. State storage)`),
    );
    const { stdout, stderr } = await bootstrap(['first', 'prod', ...REPOSITORY], withLocalState.root);
    expect(stderr).toContain(`warning: ${nothing}`);
    expect(stdout).toContain('# The Azure set-up of prod for the GitHub workflows');
  });

  test("a national cloud's environments are set up through its Graph host and sign-in host; two clouds at once are refused", async () => {
    const gov = platformRepository();
    gov.writeEnvironment('gov', validInput({ cloud: 'usgovernment', backend: STATE, customerTenants: [CONTOSO] }));
    const { stdout } = await bootstrap(['gov', ...REPOSITORY], gov.root);
    expect(stdout).toContain('# In the usgovernment cloud: az cloud set --name AzureUSGovernment first.\n');
    expect(stdout).toContain('--url "https://graph.microsoft.us/v1.0/servicePrincipals/${GRAPH_SP_ID}/appRoleAssignedTo"');
    expect(stdout).toContain(`#   https://login.microsoftonline.us/${CONTOSO.tenantId}/adminconsent?client_id=$PLAN_APP_ID\n`);
    expect(stdout).not.toContain('graph.microsoft.com');
    await expect(bootstrap(['gov', 'prod', ...REPOSITORY], gov.root)).rejects.toThrow(new UserError('the environments are in usgovernment and public clouds: bootstrap the environments of one cloud at a time'));
  });

  test('an environment with owners gets its deploying identity Application.ReadWrite.All and Directory.Read.All at home: Graph reads each owner it adds', async () => {
    const withOwners = platformRepository();
    withOwners.writeEnvironment('team', validInput({ backend: STATE, deployingIdentityObjectId: DEPLOYER, owners: ['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'] }));
    const { stdout } = await bootstrap(['team', ...REPOSITORY], withOwners.root);
    expect(stdout).toContain(`az ad app permission add --id "$DEPLOY_APP_ID" --api ${GRAPH} --api-permissions ${ROLE.directoryRead}=Role ${ROLE.applicationRead}=Role ${ROLE.readWriteAll}=Role ${ROLE.grants}=Role\n`);
    expect(stdout).toContain(`"principalId\\": \\"\${DEPLOY_SP_ID}\\", \\"resourceId\\": \\"\${GRAPH_SP_ID}\\", \\"appRoleId\\": \\"${ROLE.directoryRead}\\"`);
  });

  test('an unknown environment is one line saying so, with the environments there are', async () => {
    await expect(bootstrap(['nope', ...REPOSITORY])).rejects.toThrow(new UserError('no such environment "nope"; the environments are lab, msp, prod'));
  });
});
