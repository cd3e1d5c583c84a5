import { ApplicationRegistration } from '@cdktf/provider-azuread/lib/application-registration';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { DataAzureadUser } from '@cdktf/provider-azuread/lib/data-azuread-user';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { Aspects, Testing, TerraformStack, TerraformVariable, type IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { join } from 'node:path';
import {
  RESTORE_PORTAL_APP_CHILD_IDS,
  RestorePortalApp,
  RestorePortalAppPropsError,
  RestorePortalCustomerConsent,
  type RestorePortalAppProps,
} from '../lib/construct';
import { FIXTURES, resourceOf, testApp, type SynthesizedStack } from './support/builders';
import { PROCESS_TIMEOUT } from './support/timeouts';

const VALID = join(FIXTURES, 'certs/valid.cer');
const PORTAL = 'https://restore.example.com:4443';
const OWNER = 'aaaaaaaa-0000-4000-8000-000000000001';

function consumerStack() {
  const stack = new TerraformStack(testApp(), 'consumer');
  new AzureadProvider(stack, 'azuread', {});
  return stack;
}

const synth = (stack: TerraformStack): SynthesizedStack => JSON.parse(Testing.synth(stack, true));

function problems(build: () => unknown): readonly { path: string; message: string }[] {
  try {
    build();
  } catch (error) {
    if (error instanceof RestorePortalAppPropsError) return error.problems;
    throw error;
  }
  throw new Error('the props were accepted but were expected to be refused');
}

describe("RestorePortalApp takes another resource's output where a value can come from one", () => {
  test('the deploying identity from DataAzureadClientConfig and an owner from a user lookup reach Terraform as references', () => {
    const stack = consumerStack();
    const me = new DataAzureadClientConfig(stack, 'me');
    const alice = new DataAzureadUser(stack, 'alice', { userPrincipalName: 'alice@contoso.com' });
    new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      deployingIdentityObjectId: me.objectId,
      owners: [alice.objectId, OWNER],
    });
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_service_principal', 'portal').owners).toEqual([
      '${data.azuread_client_config.me.object_id}',
      '${data.azuread_user.alice.object_id}',
      OWNER,
    ]);
    // A reference has no value to name its resource by: it is named by its place in owners.
    expect(resourceOf(synthesized, 'azuread_application_owner', 'portal_owner_0').owner_object_id).toBe('${data.azuread_user.alice.object_id}');
    expect(resourceOf(synthesized, 'azuread_application_owner', `portal_${OWNER.replace(/-/g, '')}`).owner_object_id).toBe(OWNER);
  });

  test('an owner that is the same reference as the deploying identity is the deploying identity: no owner resource its first apply would fail on', () => {
    const stack = consumerStack();
    const deployer = new DataAzureadClientConfig(stack, 'deployer');
    const alice = new DataAzureadUser(stack, 'alice', { userPrincipalName: 'alice@contoso.com' });
    // Each read of objectId is a token of its own: the two reads below are one reference.
    new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      deployingIdentityObjectId: deployer.objectId,
      owners: [deployer.objectId, alice.objectId],
    });
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_service_principal', 'portal').owners).toEqual([
      '${data.azuread_client_config.deployer.object_id}',
      '${data.azuread_user.alice.object_id}',
    ]);
    // Entra makes the identity that creates the registration its owner; only alice gets an owner resource.
    expect(Object.values(synthesized.resource.azuread_application_owner ?? {}).map((owner) => owner.owner_object_id)).toEqual([
      '${data.azuread_user.alice.object_id}',
    ]);
  });

  test('a literal object ID given as both keeps its owner resource: a registration a person created hands the CI identity ownership so, and states hold it', () => {
    const stack = consumerStack();
    const app = new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      deployingIdentityObjectId: OWNER,
      owners: [OWNER],
    });
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_service_principal', 'portal').owners).toEqual([OWNER]);
    expect(resourceOf(synthesized, 'azuread_application_owner', `portal_${OWNER.replace(/-/g, '')}`).owner_object_id).toBe(OWNER);
    // As an environment file is, the consumer is warned that a first apply by that identity fails on it.
    expect(app.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data)).toEqual([expect.stringMatching(/^owners\[0\]: is the deploying identity \(deployingIdentityObjectId\): Entra makes it the owner of the registration it creates/)]);
  });

  test('the same reference as deploying identity and owner of an adopted registration imports its ownership once', () => {
    const stack = consumerStack();
    const deployer = new DataAzureadClientConfig(stack, 'deployer');
    new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      deployingIdentityObjectId: deployer.objectId,
      owners: [deployer.objectId],
      adopt: {
        applicationObjectId: '0a0a0a0a-0000-4000-8000-000000000001',
        clientId: '0c0c0c0c-0000-4000-8000-000000000001',
        scopeId: '05c05c05-0000-4000-8000-000000000001',
        servicePrincipalObjectId: '05905905-0000-4000-8000-000000000001',
      },
    });
    const synthesized = synth(stack) as SynthesizedStack & { import: { to: string; id: string }[] };
    expect(Object.keys(synthesized.resource.azuread_application_owner)).toEqual(['portal_owner_0']);
    expect(synthesized.import.filter((block) => block.to.startsWith('azuread_application_owner.'))).toEqual([
      {
        to: 'azuread_application_owner.portal_owner_0',
        id: '/applications/0a0a0a0a-0000-4000-8000-000000000001/owners/${data.azuread_client_config.deployer.object_id}',
      },
    ]);
  });

  test("texts and redirect URIs take references; the literal parts around one are still escaped for Terraform", () => {
    const stack = consumerStack();
    const team = new TerraformVariable(stack, 'team', { type: 'string' });
    const host = new TerraformVariable(stack, 'portal_uri', { type: 'string' });
    const app = new RestorePortalApp(stack, 'portal', {
      redirectUris: [host.stringValue, PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      displayName: `Restore Portal of ${team.stringValue} \${literal}`,
      notes: team.stringValue,
    });
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_application_registration', 'portal')).toMatchObject({
      display_name: 'Restore Portal of ${var.team} $${literal}',
      notes: '${var.team}',
    });
    expect(resourceOf(synthesized, 'azuread_application_redirect_uris', 'portal_spa').redirect_uris).toEqual(['${var.portal_uri}', PORTAL]);
    expect(app.restorePortalSettingsCommand).toContain("-PortalUri '${TfToken[");
  });

  test('a literal beside a reference is still checked, by its path', () => {
    const stack = consumerStack();
    const me = new DataAzureadClientConfig(stack, 'me');
    expect(
      problems(
        () =>
          new RestorePortalApp(stack, 'portal', {
            redirectUris: [me.objectId, 'http://restore.example.com'],
            certificates: [{ source: 'file', path: VALID }],
            owners: [me.objectId, 'not-a-guid'],
          }),
      ),
    ).toEqual([
      { path: 'redirectUris[1]', message: expect.stringMatching(/^must use https/) },
      { path: 'owners[1]', message: 'must be an object ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "not-a-guid"' },
    ]);
  });

  test('a self-signed certificate asks for its common name when the first redirect URI, its default, is a reference', () => {
    const stack = consumerStack();
    const host = new TerraformVariable(stack, 'portal_uri', { type: 'string' });
    expect(
      problems(() => new RestorePortalApp(stack, 'portal', { redirectUris: [host.stringValue], certificates: [{ source: 'selfSigned', name: 'current' }] })),
    ).toEqual([{ path: 'certificates[0].commonName', message: 'is required: the first redirect URI, whose host it defaults to, is a Terraform reference' }]);
  });

  test('an adopted registration takes its IDs from references, and imports by them', () => {
    const stack = consumerStack();
    const me = new DataAzureadClientConfig(stack, 'me');
    const registration = new TerraformVariable(stack, 'registration_object_id', { type: 'string' });
    new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }],
      deployingIdentityObjectId: me.objectId,
      adopt: {
        applicationObjectId: registration.stringValue,
        clientId: me.clientId,
        scopeId: me.tenantId,
        servicePrincipalObjectId: me.objectId,
      },
    });
    const synthesized = synth(stack) as SynthesizedStack & { import: { to: string; id: string }[] };
    const imports = Object.fromEntries(synthesized.import.map((block) => [block.to, block.id]));
    expect(imports['azuread_service_principal.portal']).toBe('/servicePrincipals/${data.azuread_client_config.me.object_id}');
    expect(imports['azuread_application_identifier_uri.portal']).toBe(
      '/applications/${var.registration_object_id}/identifierUris/${urlencode(base64encode(join("", ["api://", data.azuread_client_config.me.client_id])))}',
    );
    expect(imports['azuread_application_registration.portal']).toBe('/applications/${var.registration_object_id}');
    expect(imports['azuread_application_owner.portal_owner_0']).toBe('/applications/${var.registration_object_id}/owners/${data.azuread_client_config.me.object_id}');
  }, PROCESS_TIMEOUT);

  test('environment files still refuse what only a reference would hold', async () => {
    const { problemsOf, validInput } = await import('./support/builders');
    expect(problemsOf(validInput({ deployingIdentityObjectId: '${TfToken[TOKEN.1]}', owners: ['${TfToken[TOKEN.2]}'] }))).toEqual([
      expect.stringMatching(/^environments\/test\.ts: owners\[0\]: must be an object ID, a GUID .*got "\$\{TfToken\[TOKEN\.2\]\}"$/),
      expect.stringMatching(/^environments\/test\.ts: deployingIdentityObjectId: must be the object ID of the deploying identity's service principal, a GUID/),
    ]);
  });
});

describe('RestorePortalApp escape hatches', () => {
  test('gives its resources as typed properties, the registration as defaultChild, under the documented child ids', () => {
    const stack = consumerStack();
    const app = new RestorePortalApp(stack, 'portal', { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
    expect(app.node.defaultChild).toBe(app.registration);
    expect(app.registration).toBeInstanceOf(ApplicationRegistration);
    expect(app.servicePrincipal).toBeInstanceOf(ServicePrincipal);
    expect(app.node.findChild(RESTORE_PORTAL_APP_CHILD_IDS.registration)).toBe(app.registration);
    expect(app.node.findChild(RESTORE_PORTAL_APP_CHILD_IDS.servicePrincipal)).toBe(app.servicePrincipal);
    expect(app.node.findChild(RESTORE_PORTAL_APP_CHILD_IDS.permissionScope)).toBe(app.permissionScope);
    expect(app.node.findChild(RESTORE_PORTAL_APP_CHILD_IDS.redirectUris)).toBe(app.redirectUris);
    expect(app.node.findChild(RESTORE_PORTAL_APP_CHILD_IDS.adminConsent)).toBe(app.adminConsent);
    expect(Object.values(RESTORE_PORTAL_APP_CHILD_IDS).every((id) => app.node.tryFindChild(id) !== undefined)).toBe(true);
    const addresses = [app.servicePrincipal, app.permissionScope, app.redirectUris, app.adminConsent.microsoftGraphGrant, app.adminConsent.selfGrant].map(
      (resource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
    );
    expect(addresses).toEqual([
      'azuread_service_principal.portal',
      'azuread_application_permission_scope.portal_access_as_user',
      'azuread_application_redirect_uris.portal_spa',
      'azuread_service_principal_delegated_permission_grant.portal_microsoft_graph',
      'azuread_service_principal_delegated_permission_grant.portal_self',
    ]);
  });

  test('what is set through them is what Terraform gets', () => {
    const stack = consumerStack();
    const app = new RestorePortalApp(stack, 'portal', { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
    app.servicePrincipal.appRoleAssignmentRequired = true;
    app.registration.serviceManagementReference = 'ITSM-42';
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_service_principal', 'portal').app_role_assignment_required).toBe(true);
    expect(resourceOf(synthesized, 'azuread_application_registration', 'portal').service_management_reference).toBe('ITSM-42');
  });
});

describe('Terraform names', () => {
  const props: RestorePortalAppProps = { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] };

  test('two wrappers that each hold a "portal" get names of their own, from the path below the stack', () => {
    const stack = consumerStack();
    const a = new RestorePortalApp(new Construct(stack, 'team-a'), 'portal', props);
    const b = new RestorePortalApp(new Construct(new Construct(stack, 'team b'), 'eu'), 'portal', props);
    expect([a.terraformName, b.terraformName]).toEqual(['team-a_portal', 'team_b_eu_portal']);
    const synthesized = synth(stack);
    expect(Object.keys(synthesized.resource.azuread_application_registration)).toEqual(['team-a_portal', 'team_b_eu_portal']);
    expect(Object.keys(synthesized.resource.azuread_service_principal_delegated_permission_grant)).toEqual([
      'team-a_portal_microsoft_graph',
      'team-a_portal_self',
      'team_b_eu_portal_microsoft_graph',
      'team_b_eu_portal_self',
    ]);
  });

  test('terraformName keeps the names a construct had before it moved into a wrapper, and must be a Terraform name', () => {
    const stack = consumerStack();
    const moved = new RestorePortalApp(new Construct(stack, 'platform'), 'portal', { ...props, terraformName: 'portal' });
    expect(moved.registration.friendlyUniqueId).toBe('portal');
    expect(problems(() => new RestorePortalApp(stack, 'other', { ...props, terraformName: 'my portal' }))).toEqual([
      { path: 'terraformName', message: 'must be a Terraform name: a letter or "_", then letters, digits, "_" and "-" (at most 64 characters); got "my portal"' },
    ]);
  });

  test('a construct whose path starts with a digit still gets a valid Terraform name', () => {
    const stack = consumerStack();
    expect(new RestorePortalApp(new Construct(stack, '2026'), 'portal', props).terraformName).toBe('_2026_portal');
  });
});

describe('the tls provider, an optional peer', () => {
  afterEach(() => jest.resetModules());

  /** The construct as an app without @cdktf/provider-tls installed loads it. */
  function withoutTls(): typeof import('../lib/construct') {
    let construct!: typeof import('../lib/construct');
    jest.isolateModules(() => {
      for (const module of ['data-tls-certificate', 'private-key', 'self-signed-cert', 'provider']) {
        jest.doMock(`@cdktf/provider-tls/lib/${module}`, () => {
          throw Object.assign(new Error(`Cannot find module '@cdktf/provider-tls/lib/${module}'`), { code: 'MODULE_NOT_FOUND' });
        });
      }
      construct = require('../lib/construct');
    });
    return construct;
  }

  test('is not needed for certificate files', () => {
    const { RestorePortalApp: App } = withoutTls();
    const { TerraformStack: Stack, Testing: T } = jest.requireActual<typeof import('cdktf')>('cdktf');
    expect(() => new App(new Stack(testApp(T), 'consumer'), 'portal', props())).not.toThrow();
  });

  test('a self-signed certificate without it is a prop problem that says what to install', () => {
    const { RestorePortalApp: App, RestorePortalAppPropsError: PropsError } = withoutTls();
    const { TerraformStack: Stack, Testing: T } = jest.requireActual<typeof import('cdktf')>('cdktf');
    let thrown: unknown;
    try {
      new App(new Stack(testApp(T), 'consumer'), 'portal', { ...props(), certificates: [{ source: 'selfSigned', name: 'current' }] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PropsError);
    expect((thrown as RestorePortalAppPropsError).problems).toEqual([
      { path: 'certificates[0]', message: expect.stringMatching(/^is self-signed, which needs the tls provider's bindings: add @cdktf\/provider-tls/) },
    ]);
  });

  function props(): RestorePortalAppProps {
    return { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] };
  }
});

describe('RestorePortalCustomerConsent', () => {
  const CLIENT = '0c0c0c0c-0000-4000-8000-000000000001';

  test("adds the portal's service principal and both grants to the customer's tenant, through its provider", () => {
    const stack = consumerStack();
    const customer = new AzureadProvider(stack, 'contoso-tenant', { alias: 'contoso', tenantId: 'c0c0c0c0-0000-4000-8000-000000000001' });
    const consent = new RestorePortalCustomerConsent(stack, 'contoso', { clientId: CLIENT, provider: customer });
    expect(consent.node.defaultChild).toBe(consent.servicePrincipal);
    const synthesized = synth(stack);
    expect(resourceOf(synthesized, 'azuread_service_principal', 'contoso')).toMatchObject({ client_id: CLIENT, use_existing: true, provider: 'azuread.contoso' });
    expect(resourceOf(synthesized, 'azuread_service_principal_delegated_permission_grant', 'contoso_self')).toMatchObject({
      service_principal_object_id: '${azuread_service_principal.contoso.object_id}',
      resource_service_principal_object_id: '${azuread_service_principal.contoso.object_id}',
      claim_values: ['access_as_user'],
      provider: 'azuread.contoso',
    });
    expect(synthesized.data.azuread_service_principal.contoso_microsoft_graph.provider).toBe('azuread.contoso');
  });

  test("consent the customer gave already is imported with its service principal, listed service principal first", () => {
    const stack = consumerStack();
    const consent = new RestorePortalCustomerConsent(stack, 'contoso', {
      clientId: CLIENT,
      existing: { servicePrincipalObjectId: '05905905-0000-4000-8000-000000000001', consentGrantIds: { microsoftGraph: 'g-1', self: 's-1' } },
    });
    expect(consent.importOrder).toEqual([
      'azuread_service_principal.contoso',
      'azuread_service_principal_delegated_permission_grant.contoso_microsoft_graph',
      'azuread_service_principal_delegated_permission_grant.contoso_self',
    ]);
    const synthesized = synth(stack) as SynthesizedStack & { import: { to: string; id: string }[] };
    expect(synthesized.import.map((block) => `${block.to} ${block.id}`)).toEqual([
      'azuread_service_principal.contoso /servicePrincipals/05905905-0000-4000-8000-000000000001',
      'azuread_service_principal_delegated_permission_grant.contoso_microsoft_graph /oauth2PermissionGrants/g-1',
      'azuread_service_principal_delegated_permission_grant.contoso_self /oauth2PermissionGrants/s-1',
    ]);
  }, PROCESS_TIMEOUT);

  test('takes the client ID of a RestorePortalApp of the same app, and refuses grant IDs without the service principal they belong to', () => {
    const stack = consumerStack();
    const app = new RestorePortalApp(stack, 'portal', { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
    new RestorePortalCustomerConsent(new Construct(stack, 'customers'), 'contoso', { clientId: app.clientId });
    expect(resourceOf(synth(stack), 'azuread_service_principal', 'customers_contoso').client_id).toBe('${azuread_application_registration.portal.client_id}');
    expect(
      problems(() => new RestorePortalCustomerConsent(stack, 'fabrikam', { clientId: 'x', existing: { consentGrantIds: { self: 'a/b' } } } as never)),
    ).toEqual([
      { path: 'clientId', message: expect.stringMatching(/^must be the portal application's client ID .*got "x"$/) },
      { path: 'existing.servicePrincipalObjectId', message: expect.stringMatching(/^is required: .*imported with the grants, which would otherwise be replaced$/) },
      { path: 'existing.consentGrantIds.self', message: expect.stringMatching(/^must be the id of an oauth2PermissionGrant/) },
    ]);
  });
});

/** Aspects see the resources by type, as with any construct library. */
test('an aspect reaches the registration like any other resource of the stack', () => {
  const stack = consumerStack();
  new RestorePortalApp(new Construct(stack, 'team-a'), 'portal', { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
  const tagged: IAspect = {
    visit(node: IConstruct) {
      if (node instanceof ApplicationRegistration) node.serviceManagementReference = 'tagged';
    },
  };
  Aspects.of(stack).add(tagged);
  expect(resourceOf(synth(stack), 'azuread_application_registration', 'team-a_portal').service_management_reference).toBe('tagged');
});
