import { tokenVariable } from '../lib/environment/backend';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { CONTOSO, environment, parse, problemsOf, synthStack, validInput } from './support/builders';

const AZURERM = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };

function backendOf(backend: unknown, name = 'prod') {
  return synthStack(environment({ backend }, name)).terraform;
}

describe('backend', () => {
  test('keeps local state in the project root by default, addressed relative to the stack folder', () => {
    expect(backendOf(undefined).backend).toEqual({ local: { path: '../../../terraform.prod.tfstate' } });
  });

  test('takes a local state path relative to the project root', () => {
    expect(backendOf({ type: 'local', path: 'state/prod.tfstate' }).backend).toEqual({ local: { path: '../../../state/prod.tfstate' } });
  });

  test('rejects an absolute local state path', () => {
    expect(problemsOf(validInput({ backend: { type: 'local', path: '/var/state/prod.tfstate' } }), { name: 'prod' })).toEqual([
      'environments/prod.ts: backend.path: must be relative to the project root (an absolute path would be written into cdktf.out); got "/var/state/prod.tfstate"',
    ]);
  });

  test('rejects a local state path that leads out of the project root', () => {
    for (const path of ['../../etc/prod.tfstate', 'state/../../prod.tfstate', '..\\prod.tfstate']) {
      expect(problemsOf(validInput({ backend: { type: 'local', path } }), { name: 'prod' })).toEqual([
        `environments/prod.ts: backend.path: must stay inside the project root; got ${JSON.stringify(path)}`,
      ]);
    }
    expect(backendOf({ type: 'local', path: 'state/../prod.tfstate' }).backend).toEqual({ local: { path: '../../../prod.tfstate' } });
  });

  test("refuses a local state file .gitignore would not keep out of git: the state holds self-signed certificates' keys", () => {
    for (const path of ['state/prod.json', 'prod.TFSTATE', 'prod.tfstate.json', 'state/prod']) {
      expect(problemsOf(validInput({ backend: { type: 'local', path } }), { name: 'prod' })).toEqual([
        `environments/prod.ts: backend.path: must name a file ending in .tfstate (the state holds self-signed certificates' private keys, and .gitignore keeps *.tfstate out of git); got ${JSON.stringify(path)}`,
      ]);
    }
  });

  test('refuses line breaks and other control characters in backend settings, which terraform prints to CI logs', () => {
    expect(problemsOf(validInput({ backend: { ...AZURERM, key: 'prod\r::error::x.tfstate' } }))).toEqual([
      'environments/test.ts: backend.key: must not contain control or invisible characters (line breaks, tabs, direction overrides); got "prod\\r::error::x.tfstate"',
    ]);
  });

  test('refuses a key Azure Storage would read as another blob name, so that no two spellings are one state', () => {
    for (const key of ['./prod.tfstate', 'states//prod.tfstate', '/prod.tfstate', 'states/../prod.tfstate', 'states\\prod.tfstate', 'prod.tfstate.', 'states./prod.tfstate']) {
      expect(problemsOf(validInput({ backend: { ...AZURERM, key } }))).toEqual([
        `environments/test.ts: backend.key: must be a blob name of parts separated by "/", none of them empty, "." or "..", or ending in ".", and without "\\" (Azure Storage reads those as another name); got ${JSON.stringify(key)}`,
      ]);
    }
    expect(problemsOf(validInput({ backend: { ...AZURERM, key: 'restore-portal/.prod/prod.tfstate' } }))).toEqual([]);
  });

  test('stores state in an Azure blob with Entra ID auth and a per-environment key by default', () => {
    expect(backendOf(AZURERM).backend).toEqual({
      azurerm: { storage_account_name: 'contosotfstate', container_name: 'tfstate', key: 'prod.tfstate', use_azuread_auth: true },
    });
  });

  test('passes the optional azurerm settings through', () => {
    const backend = {
      ...AZURERM,
      key: 'restore-portal/prod.tfstate',
      resourceGroupName: 'rg-tfstate',
      subscriptionId: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
      useAzureadAuth: false,
      useOidc: true,
    };
    expect(backendOf(backend).backend).toEqual({
      azurerm: {
        storage_account_name: 'contosotfstate',
        container_name: 'tfstate',
        key: 'restore-portal/prod.tfstate',
        resource_group_name: 'rg-tfstate',
        subscription_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        use_azuread_auth: false,
        use_oidc: true,
      },
    });
  });

  test('uses an HCP Terraform or Terraform Enterprise workspace', () => {
    expect(backendOf({ type: 'cloud', organization: 'contoso', workspace: 'restore-portal-prod' }).cloud).toEqual({
      organization: 'contoso',
      workspaces: { name: 'restore-portal-prod' },
    });
    const tfe = backendOf({ type: 'cloud', organization: 'contoso', workspace: 'prod', hostname: 'tfe.contoso.com' });
    expect(tfe.cloud).toMatchObject({ hostname: 'tfe.contoso.com' });
  });

  test('warns about local state in every environment except an example (all-zero tenant), whatever the file name', () => {
    const localStateWarning = /^backend: keeps its Terraform state in a local file \(terraform\.(prod|example)\.tfstate\): .* set backend to/;
    const backendWarnings = (input: Record<string, unknown>, name: string) =>
      parse(input, { name }).warnings.filter((w) => w.path === 'backend').map((w) => `${w.path}: ${w.message}`);
    expect(backendWarnings(validInput(), 'prod')).toEqual([expect.stringMatching(localStateWarning)]);
    expect(backendWarnings(validInput(), 'example')).toEqual([expect.stringMatching(localStateWarning)]);
    expect(backendWarnings(validInput({ tenantId: EXAMPLE_TENANT_ID }), 'demo')).toEqual([]);
    expect(backendWarnings(validInput({ backend: AZURERM }), 'prod')).toEqual([]);
  });

  test('refuses secrets in the backend and says where they belong instead', () => {
    const problems = problemsOf(
      validInput({ backend: { ...AZURERM, access_key: 'abc', clientSecret: 'xyz', sasToken: '?sv=' } }),
      { name: 'prod' },
    );
    expect(problems).toEqual([
      expect.stringMatching(/^environments\/prod\.ts: backend\.access_key: is a secret and must not be in an environment file .*ARM_ACCESS_KEY/),
      expect.stringMatching(/^environments\/prod\.ts: backend\.clientSecret: is a secret .*ARM_CLIENT_SECRET/),
      expect.stringMatching(/^environments\/prod\.ts: backend\.sasToken: is a secret .*ARM_SAS_TOKEN/),
    ]);
    expect(problems.join('\n')).not.toMatch(/abc|xyz|\?sv=/);
    expect(problemsOf(validInput({ backend: { type: 'cloud', organization: 'o', workspace: 'w', token: 't' } }))).toEqual([
      expect.stringMatching(/backend\.token: is a secret .*TF_TOKEN_<host> or `terraform login`/),
    ]);
  });

  test('refuses ${ and %{ in backend values: customer tenant stacks read the state through terraform_remote_state, whose arguments Terraform evaluates', () => {
    const backend = { ...AZURERM, key: 'prod${file("/etc/passwd")}.tfstate', containerName: 'tfstate' };
    expect(problemsOf(validInput({ backend, customerTenants: [CONTOSO] }), { name: 'prod' })).toEqual([
      'environments/prod.ts: backend.key: must not contain "${" or "%{" (Terraform would evaluate it where customer tenant stacks read this state); got "prod${file(\\"/etc/passwd\\")}.tfstate"',
    ]);
    expect(problemsOf(validInput({ backend: { ...AZURERM, key: 'rg%{ if true }x%{ endif }' } }))).toEqual([
      'environments/test.ts: backend.key: must not contain "${" or "%{" (Terraform would evaluate it where customer tenant stacks read this state); got "rg%{ if true }x%{ endif }"',
    ]);
    expect(problemsOf(validInput({ backend: { type: 'local', path: 'state/${path.cwd}.tfstate' } }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: backend\.path: must not contain "\$\{" or "%\{"/),
    ]);
    expect(problemsOf(validInput({ backend: { type: 'cloud', organization: 'contoso', workspace: 'prod-${terraform.workspace}' } }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: backend\.workspace: must not contain/),
    ]);
  });

  test('names the field and what is allowed for each mistake', () => {
    expect(problemsOf(validInput({ backend: 'azurerm' }))).toEqual([
      'environments/test.ts: backend: must be an object with a type ("azurerm", "cloud", "local"); got "azurerm"',
    ]);
    expect(problemsOf(validInput({ backend: { type: 's3' } }))).toEqual([
      'environments/test.ts: backend.type: must be one of "azurerm", "cloud", "local"; got "s3"',
    ]);
    expect(
      problemsOf(
        validInput({
          backend: { type: 'azurerm', storage_account_name: 'x', containerName: 'Tf--State', subscriptionId: 'nope', useOidc: 'yes' },
        }),
      ),
    ).toEqual([
      'environments/test.ts: backend.storage_account_name: unknown field; did you mean "storageAccountName"?',
      'environments/test.ts: backend.storageAccountName: must be 3 to 24 lower-case letters and digits; got nothing',
      'environments/test.ts: backend.containerName: must be 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit; got "Tf--State"',
      'environments/test.ts: backend.subscriptionId: must be a subscription ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "nope"',
      'environments/test.ts: backend.useOidc: must be true or false; got "yes"',
    ]);
    expect(problemsOf(validInput({ backend: { type: 'cloud', organization: 'contoso', hostname: 'https://tfe.contoso.com/' } }))).toEqual([
      'environments/test.ts: backend.workspace: must be a non-empty string; got nothing',
      'environments/test.ts: backend.hostname: must be a host name without scheme or path, e.g. "tfe.example.com"; got "https://tfe.contoso.com/"',
    ]);
  });
});

describe('the resource group of the state storage', () => {
  // It reaches the Azure CLI in npm run bootstrap's script, as az reads it: Azure's own naming rule keeps
  // shell syntax, an az "@file" argument and line breaks out.
  test.each(['rg-tfstate', 'rg_state.(prod)', 'Zustand-Ü', 'r'])('%s is a resource group name', (resourceGroupName) => {
    expect(problemsOf(validInput({ backend: { ...AZURERM, resourceGroupName } }))).toEqual([]);
  });

  test.each(['rg$(touch pwned)', "rg'; rm -rf ~; '", '@/etc/passwd', 'rg\nx', 'rg state', 'rg.', '', 'r'.repeat(91)])('%j is refused, naming the field', (resourceGroupName) => {
    expect(problemsOf(validInput({ backend: { ...AZURERM, resourceGroupName } }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: backend\.resourceGroupName: must be a resource group name: 1 to 90 letters, digits and _ \( \) - \., not ending in "\."; got /),
    ]);
  });
});

describe('the token variable of a cloud backend, as Terraform reads it (TF_TOKEN_ and the host)', () => {
  test('dots become "_" and hyphens "__"; HCP Terraform when no host is given; none for other backends or a host with a port', () => {
    const cloud = (hostname?: string) => ({ type: 'cloud' as const, organization: 'contoso', workspace: 'prod', ...(hostname ? { hostname } : {}) });
    expect(tokenVariable(cloud())).toBe('TF_TOKEN_app_terraform_io');
    expect(tokenVariable(cloud('TFE-eu.Contoso.com'))).toBe('TF_TOKEN_tfe__eu_contoso_com');
    expect(tokenVariable(cloud('tfe.contoso.com:8443'))).toBeUndefined();
    expect(tokenVariable({ type: 'local', path: 'terraform.prod.tfstate' })).toBeUndefined();
  });
});
