import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MICROSOFT_GRAPH_CLIENT_ID } from '../lib/construct/well-known';
import { CONTOSO, environment, FABRIKAM, resourceOf, synthApp, TestProject, validInput } from './support/builders';
import { PROCESS_TIMEOUT } from './support/timeouts';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const CROSS_STACK_OUTPUT = 'cross-stack-output-azuread_application_registrationportalclient_id';
/** The home application's client ID, as the tenant stack reads it from the environment's state. */
const HOME_CLIENT_ID = `\${data.terraform_remote_state.cross-stack-reference-input-prod.outputs.${CROSS_STACK_OUTPUT}}`;
const SP_OBJECT_ID = '${azuread_service_principal.portal.object_id}';

const prodWith = (overrides: Record<string, unknown> = {}) => environment({ customerTenants: [CONTOSO, FABRIKAM], ...overrides }, 'prod');

describe('CustomerTenantStack', () => {
  const app = synthApp(prodWith());
  const home = app.stacks.prod;
  const contoso = app.stacks['prod-tenant-contoso'];

  test('is one stack per customer tenant, after the environment stack it depends on', () => {
    expect(Object.keys(app.manifest.stacks)).toEqual(['prod', 'prod-tenant-contoso', 'prod-tenant-fabrikam']);
    expect(app.manifest.stacks['prod-tenant-contoso'].dependencies).toEqual(['prod']);
    expect(app.manifest.stacks.prod.dependencies).toEqual([]);
  });

  test('pins its provider to the customer tenant, in the environment\'s cloud', () => {
    expect(contoso.provider.azuread).toEqual([{ tenant_id: CONTOSO.tenantId, environment: 'global' }]);
    expect(app.stacks['prod-tenant-fabrikam'].provider.azuread).toEqual([{ tenant_id: FABRIKAM.tenantId, environment: 'global' }]);
    const china = synthApp(prodWith({ cloud: 'china' })).stacks['prod-tenant-contoso'];
    expect(china.provider.azuread).toEqual([{ tenant_id: CONTOSO.tenantId, environment: 'china' }]);
  });

  test("creates the portal application's service principal there, adopting one that already exists", () => {
    expect(Object.keys(contoso.resource.azuread_service_principal)).toEqual(['portal']);
    expect(resourceOf(contoso, 'azuread_service_principal', 'portal')).toMatchObject({
      client_id: HOME_CLIENT_ID,
      use_existing: true,
      feature_tags: [{ enterprise: true }],
    });
    // Removing a customer is `cdktf destroy <stack>`: nothing may stop it.
    expect(resourceOf(contoso, 'azuread_service_principal', 'portal').lifecycle).toBeUndefined();
  });

  test('grants admin consent for all principals: Graph User.Read and access_as_user, one grant per API', () => {
    const grants = contoso.resource.azuread_service_principal_delegated_permission_grant;
    expect(Object.keys(grants).sort()).toEqual(['portal_microsoft_graph', 'portal_self']);
    expect(grants.portal_microsoft_graph).toMatchObject({
      service_principal_object_id: SP_OBJECT_ID,
      resource_service_principal_object_id: '${data.azuread_service_principal.portal_microsoft_graph.object_id}',
      claim_values: ['User.Read'],
    });
    expect(grants.portal_self).toMatchObject({
      service_principal_object_id: SP_OBJECT_ID,
      resource_service_principal_object_id: SP_OBJECT_ID,
      claim_values: ['access_as_user'],
    });
    for (const grant of Object.values(grants)) expect(grant.user_object_id).toBeUndefined();
    expect(contoso.data.azuread_service_principal.portal_microsoft_graph.client_id).toBe(MICROSOFT_GRAPH_CLIENT_ID);
  });

  test("reads the client ID from the environment stack's state, which shares it as an output", () => {
    expect(home.output[CROSS_STACK_OUTPUT]).toEqual({ value: '${azuread_application_registration.portal.client_id}', sensitive: true });
    expect(Object.keys(contoso.data.terraform_remote_state)).toEqual(['cross-stack-reference-input-prod']);
    expect(home.data.terraform_remote_state).toBeUndefined();
  });

  test('an environment without customer tenants shares nothing', () => {
    const alone = synthApp(environment({}, 'prod'));
    expect(Object.keys(alone.stacks)).toEqual(['prod']);
    expect(Object.keys(alone.stacks.prod.output).filter((name) => name.startsWith('cross-stack'))).toEqual([]);
  });

  test('imports what a customer already has, the service principal with its grants, so that one plan knows its object ID', () => {
    const adopt = { servicePrincipalObjectId: '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716', consentGrantIds: { microsoftGraph: 'K9sYtZYQ6ke2ti6K5ZbZsS2c', self: 'K9sYtZYQ6ke2ti6K5ZbZsfHHx' } };
    const adopted = synthApp(prodWith({ customerTenants: [{ ...CONTOSO, adopt }, FABRIKAM] }));
    const imports = (stack: string) => ((adopted.stacks[stack] as unknown as { import?: { to: string; id: string }[] }).import ?? []).map((i) => [i.to, i.id]);
    expect(imports('prod-tenant-contoso').sort()).toEqual([
      ['azuread_service_principal.portal', '/servicePrincipals/5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716'],
      ['azuread_service_principal_delegated_permission_grant.portal_microsoft_graph', '/oauth2PermissionGrants/K9sYtZYQ6ke2ti6K5ZbZsS2c'],
      ['azuread_service_principal_delegated_permission_grant.portal_self', '/oauth2PermissionGrants/K9sYtZYQ6ke2ti6K5ZbZsfHHx'],
    ]);
    expect(imports('prod-tenant-fabrikam')).toEqual([]);
    expect(imports('prod')).toEqual([]);
  });

  test('gives the admin consent URL of its tenant, on the sign-in host of the cloud', () => {
    expect(contoso.output.admin_consent_url.value).toBe(
      `https://login.microsoftonline.com/${CONTOSO.tenantId}/adminconsent?client_id=${HOME_CLIENT_ID}`,
    );
    expect(contoso.output.tenant_id.value).toBe(CONTOSO.tenantId);
    expect(contoso.output.service_principal_object_id.value).toBe(SP_OBJECT_ID);
    const usgov = synthApp(prodWith({ cloud: 'usgovernment' })).stacks['prod-tenant-contoso'];
    expect(usgov.output.admin_consent_url.value).toBe(`https://login.microsoftonline.us/${CONTOSO.tenantId}/adminconsent?client_id=${HOME_CLIENT_ID}`);
  });
});

describe('state of customer tenant stacks', () => {
  const stackDir = (stack: string) => `/project/cdktf.out/stacks/${stack}`;

  test('local: its own file in the project root, and the environment state read from the tenant stack folder', () => {
    const { stacks } = synthApp(prodWith());
    const contoso = stacks['prod-tenant-contoso'];
    expect(resolve(stackDir('prod-tenant-contoso'), contoso.terraform.backend.local.path)).toBe('/project/terraform.prod-tenant-contoso.tfstate');
    const remote = contoso.data.terraform_remote_state['cross-stack-reference-input-prod'];
    expect(remote.backend).toBe('local');
    // Terraform resolves the path from the folder it runs in: the tenant stack's.
    expect(resolve(stackDir('prod-tenant-contoso'), remote.config.path)).toBe('/project/terraform.prod.tfstate');
    expect(resolve(stackDir('prod'), stacks.prod.terraform.backend.local.path)).toBe('/project/terraform.prod.tfstate');
  });

  test('azurerm: its own blob, and the environment blob read with the same settings', () => {
    const backend = { ...AZURERM, resourceGroupName: 'rg-tfstate', subscriptionId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', useOidc: true };
    const contoso = synthApp(prodWith({ backend })).stacks['prod-tenant-contoso'];
    const shared = {
      storage_account_name: 'contosotfstate',
      container_name: 'tfstate',
      resource_group_name: 'rg-tfstate',
      subscription_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      use_azuread_auth: true,
      use_oidc: true,
    };
    expect(contoso.terraform.backend).toEqual({ azurerm: { ...shared, key: 'prod-tenant-contoso.tfstate' } });
    expect(contoso.data.terraform_remote_state['cross-stack-reference-input-prod']).toEqual({
      backend: 'azurerm',
      config: { ...shared, key: 'prod.tfstate' },
      workspace: '${terraform.workspace}',
    });
  });

  test('cloud: its own workspace, and the environment workspace read through the remote backend', () => {
    const backend = { type: 'cloud', organization: 'contoso', workspace: 'restore-portal-prod', hostname: 'tfe.contoso.com' };
    const contoso = synthApp(prodWith({ backend })).stacks['prod-tenant-contoso'];
    expect(contoso.terraform.cloud).toEqual({ organization: 'contoso', hostname: 'tfe.contoso.com', workspaces: { name: 'restore-portal-prod-tenant-contoso' } });
    expect(contoso.data.terraform_remote_state['cross-stack-reference-input-prod']).toEqual({
      backend: 'remote',
      config: { organization: 'contoso', hostname: 'tfe.contoso.com', workspaces: { name: 'restore-portal-prod' } },
    });
  }, PROCESS_TIMEOUT);
});

describe('synth with customer tenants', () => {
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
  });
  afterEach(() => project.remove());

  test('removing a customer tenant removes only its stack folder', () => {
    project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO, FABRIKAM] }));
    project.writeEnvironment('test', validInput({ backend: AZURERM }));
    expect(project.synth().stacks).toEqual(['prod', 'prod-tenant-contoso', 'prod-tenant-fabrikam', 'test']);
    const kept = join(project.root, 'cdktf.out/stacks/prod-tenant-contoso/.terraform');
    mkdirSync(kept);
    jest.resetModules();
    project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO] }));
    expect(project.synth().stacks).toEqual(['prod', 'prod-tenant-contoso', 'test']);
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod-tenant-fabrikam'))).toBe(false);
    expect(existsSync(kept)).toBe(true);
  });

  test("synthesizing one environment removes its former tenant stacks and keeps the other environments' folders", () => {
    project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO, FABRIKAM] }));
    project.writeEnvironment('test', validInput({ backend: AZURERM, customerTenants: [CONTOSO] }));
    project.synth();
    const testPlan = join(project.root, 'cdktf.out/stacks/test-tenant-contoso/plan.tfplan');
    writeFileSync(testPlan, '');
    jest.resetModules();
    project.writeEnvironment('prod', validInput({ backend: AZURERM, customerTenants: [CONTOSO] }));
    expect(project.synth({ only: ['prod'] }).homeStacks).toEqual({ 'prod-tenant-contoso': 'prod' });
    expect(existsSync(join(project.root, 'cdktf.out/stacks/prod-tenant-fabrikam'))).toBe(false);
    expect(existsSync(testPlan)).toBe(true);
  });
});
