import { CONTOSO, environment, FABRIKAM, parse, problemsOf, TENANT, validInput } from './support/builders';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const tenantsOf = (customerTenants: unknown, name = 'prod') => problemsOf(validInput({ customerTenants }), { name });

describe('customerTenants', () => {
  test('is optional: an environment without it onboards no customer tenant', () => {
    expect(environment().customerTenants).toEqual([]);
  });

  test('gives each customer tenant a stack named <environment>-tenant-<name>', () => {
    const env = environment({ customerTenants: [CONTOSO, FABRIKAM] }, 'prod');
    expect(env.customerTenants.map((t) => [t.name, t.tenantId, t.stackName])).toEqual([
      ['contoso', CONTOSO.tenantId, 'prod-tenant-contoso'],
      ['fabrikam', FABRIKAM.tenantId, 'prod-tenant-fabrikam'],
    ]);
  });

  test('compares tenant IDs in lower case, the form Entra returns', () => {
    const env = environment({ customerTenants: [{ name: 'contoso', tenantId: CONTOSO.tenantId.toUpperCase() }] });
    expect(env.customerTenants[0].tenantId).toBe(CONTOSO.tenantId);
    expect(tenantsOf([CONTOSO, { name: 'again', tenantId: CONTOSO.tenantId.toUpperCase() }])).toEqual([
      `environments/prod.ts: customerTenants[1].tenantId: ${CONTOSO.tenantId} is already listed as customerTenants[0]; list each customer tenant once`,
    ]);
  });

  test('refuses duplicate names, also when they differ only in case (stack folders would collide)', () => {
    expect(tenantsOf([CONTOSO, { name: 'Contoso', tenantId: FABRIKAM.tenantId }])).toEqual([
      'environments/prod.ts: customerTenants[1].name: "Contoso" is already the name of customerTenants[0]; give each customer tenant its own name',
    ]);
  });

  test("refuses the environment's own tenant", () => {
    expect(tenantsOf([{ name: 'self', tenantId: TENANT }])).toEqual([
      "environments/prod.ts: customerTenants[0].tenantId: is the environment's own tenant (tenantId): its stack already creates the service principal and admin consent there; list only customer tenants",
    ]);
  });

  test('refuses names that cannot be part of a stack name', () => {
    expect(tenantsOf([{ name: 'contoso ltd', tenantId: CONTOSO.tenantId }, { name: '-x', tenantId: FABRIKAM.tenantId }])).toEqual([
      'environments/prod.ts: customerTenants[0].name: is part of the stack name "prod-tenant-contoso ltd": use letters, digits, "-" and "_", starting with a letter or digit; got "contoso ltd"',
      'environments/prod.ts: customerTenants[1].name: is part of the stack name "prod-tenant--x": use letters, digits, "-" and "_", starting with a letter or digit; got "-x"',
    ]);
    expect(tenantsOf([{ name: 'n'.repeat(60), tenantId: CONTOSO.tenantId }])).toEqual([
      `environments/prod.ts: customerTenants[0].name: makes the stack name "prod-tenant-${'n'.repeat(60)}" 72 characters long; stack names have at most 63`,
    ]);
  });

  test('reports missing, mistyped and unknown fields with their paths', () => {
    expect(tenantsOf({ name: 'contoso' })).toEqual(['environments/prod.ts: customerTenants: must be an array; got an object']);
    expect(tenantsOf([{ name: 'contoso', tenant: CONTOSO.tenantId }, 'fabrikam'])).toEqual([
      'environments/prod.ts: customerTenants[0].tenant: unknown field; did you mean "tenantId"?',
      "environments/prod.ts: customerTenants[0].tenantId: must be the customer's tenant ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got nothing",
      'environments/prod.ts: customerTenants[1]: must be an object; got "fabrikam"',
    ]);
  });

  test('takes what a customer already has in adopt: its service principal, and its grants only with it', () => {
    const SP = '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';
    const grants = { microsoftGraph: 'K9sYtZYQ6ke2ti6K5ZbZsS2c', self: 'K9sYtZYQ6ke2ti6K5ZbZsfHHx' };
    expect(tenantsOf([{ ...CONTOSO, adopt: { servicePrincipalObjectId: SP, consentGrantIds: grants } }])).toEqual([]);
    expect(tenantsOf([{ ...CONTOSO, adopt: { consentGrantIds: grants } }])).toEqual([
      "environments/prod.ts: customerTenants[0].adopt.servicePrincipalObjectId: is required: the grants are imported with the service principal they belong to (without it, Terraform would replace them and delete the customer's consent)",
    ]);
    expect(tenantsOf([{ ...CONTOSO, adopt: { servicePrincipalObjectId: 'sp', consentGrantIds: { microsoftGraph: '/oauth2PermissionGrants/x', graph: 'y' } } }])).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: customerTenants\[0\]\.adopt\.servicePrincipalObjectId: must be the object ID of the portal's service principal in the customer tenant, a GUID/),
      expect.stringMatching(/^environments\/prod\.ts: customerTenants\[0\]\.adopt\.consentGrantIds\.graph: unknown field/),
      expect.stringMatching(/^environments\/prod\.ts: customerTenants\[0\]\.adopt\.consentGrantIds\.microsoftGraph: must be the id of an oauth2PermissionGrant/),
    ]);
  });

  test('refuses an environment file name that contains "-tenant-", which marks tenant stacks', () => {
    expect(problemsOf(validInput(), { name: 'prod-tenant-contoso' })).toEqual([
      'environments/prod-tenant-contoso.ts: the file name "prod-tenant-contoso" contains "-tenant-", which marks the stacks of customer tenants; rename the file',
    ]);
  });

  test('warns once that tenant stacks cannot be planned in CI when the environment keeps local state', () => {
    const warnings = parse(validInput({ customerTenants: [CONTOSO, FABRIKAM] }), { name: 'prod' }).warnings.map((w) => w.path);
    expect(warnings).toEqual(['backend', 'customerTenants']);
    expect(parse(validInput({ customerTenants: [CONTOSO], backend: AZURERM }), { name: 'prod' }).warnings.map((w) => w.path)).not.toContain('customerTenants');
  });
});

describe('the state of a customer tenant stack', () => {
  const backendOf = (backend: unknown) => environment({ backend, customerTenants: [CONTOSO] }, 'prod').customerTenants[0].backend;

  test('is a blob next to the environment\'s, named after the stack', () => {
    expect(backendOf(AZURERM)).toEqual({ ...AZURERM, key: 'prod-tenant-contoso.tfstate', useAzureadAuth: true });
    expect(backendOf({ ...AZURERM, key: 'restore-portal/prod.tfstate' })).toMatchObject({ key: 'restore-portal/prod-tenant-contoso.tfstate' });
    expect(backendOf({ ...AZURERM, key: 'restore-portal-prod' })).toMatchObject({ key: 'restore-portal-prod-tenant-contoso' });
  });

  test('is a local file terraform.<stack>.tfstate by default', () => {
    expect(backendOf(undefined)).toEqual({ type: 'local', path: 'terraform.prod-tenant-contoso.tfstate' });
    expect(backendOf({ type: 'local', path: 'state/prod.tfstate' })).toEqual({ type: 'local', path: 'state/prod-tenant-contoso.tfstate' });
  });

  test('is an HCP Terraform workspace of its own, <workspace>-tenant-<name>', () => {
    expect(backendOf({ type: 'cloud', organization: 'contoso', workspace: 'restore-portal-prod' })).toEqual({
      type: 'cloud',
      organization: 'contoso',
      workspace: 'restore-portal-prod-tenant-contoso',
    });
    const long = validInput({ backend: { type: 'cloud', organization: 'contoso', workspace: 'w'.repeat(80) }, customerTenants: [CONTOSO] });
    expect(problemsOf(long, { name: 'prod' })).toEqual([
      `environments/prod.ts: customerTenants[0].name: makes the HCP Terraform workspace name "${'w'.repeat(80)}-tenant-contoso" longer than 90 characters; use a shorter name`,
    ]);
  });
});
