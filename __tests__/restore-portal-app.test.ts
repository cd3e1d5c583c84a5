import { GRAPH_USER_READ_SCOPE_ID, MICROSOFT_GRAPH_CLIENT_ID } from '../lib/construct/well-known';
import { environment, fileCertificates, resourceOf, synthStack, TENANT } from './support/builders';

const REGISTRATION = '${azuread_application_registration.portal.id}';
const CLIENT_ID = '${azuread_application_registration.portal.client_id}';
const SP_OBJECT_ID = '${azuread_service_principal.portal.object_id}';
const SCOPE_ID = '${azuread_application_permission_scope.portal_access_as_user.scope_id}';

describe('RestorePortalApp', () => {
  const stack = synthStack();

  test('registers a multitenant application with implicit flows off and v1 access tokens', () => {
    const registration = resourceOf(stack, 'azuread_application_registration', 'portal');
    expect(registration).toMatchObject({
      display_name: 'VB365 Restore Portal',
      sign_in_audience: 'AzureADMultipleOrgs',
      implicit_access_token_issuance_enabled: false,
      implicit_id_token_issuance_enabled: false,
      requested_access_token_version: 1,
    });
    expect(registration.notes).toContain('the test repository');
    expect(registration.notes).toContain('environment "test" (environments/test.ts)');
  });

  test('protects the registration and the service principal from destruction', () => {
    expect(resourceOf(stack, 'azuread_application_registration', 'portal').lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceOf(stack, 'azuread_service_principal', 'portal').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('sets the identifier URI to api://<client id> through its own resource', () => {
    expect(resourceOf(stack, 'azuread_application_identifier_uri', 'portal')).toMatchObject({
      application_id: REGISTRATION,
      identifier_uri: `api://${CLIENT_ID}`,
    });
  });

  test('exposes access_as_user as an Admin scope with the article consent texts and a fixed scope ID', () => {
    expect(resourceOf(stack, 'azuread_application_permission_scope', 'portal_access_as_user')).toMatchObject({
      application_id: REGISTRATION,
      scope_id: environment().scopeId,
      value: 'access_as_user',
      type: 'Admin',
      admin_consent_display_name: 'Access Veeam Backup for Microsoft 365 Restore Portal',
      admin_consent_description: 'Allows access to Veeam Backup for Microsoft 365 Restore Portal as the signed-in user',
      user_consent_display_name: 'Access Veeam Backup for Microsoft 365 Restore Portal',
      user_consent_description: 'Allows access to Veeam Backup for Microsoft 365 Restore Portal on your behalf',
    });
  });

  test('takes consent texts from the environment when given', () => {
    const custom = synthStack(environment({ consentTexts: { adminConsentDisplayName: 'Restore Portal (Contoso)' } }));
    expect(resourceOf(custom, 'azuread_application_permission_scope', 'portal_access_as_user')).toMatchObject({
      admin_consent_display_name: 'Restore Portal (Contoso)',
      user_consent_display_name: 'Access Veeam Backup for Microsoft 365 Restore Portal',
    });
  });

  test('registers the portal addresses as SPA redirect URIs and enables public client flows', () => {
    expect(resourceOf(stack, 'azuread_application_redirect_uris', 'portal_spa')).toEqual(
      expect.objectContaining({ application_id: REGISTRATION, type: 'SPA', redirect_uris: ['https://restore.example.com:4443'] }),
    );
    expect(resourceOf(stack, 'azuread_application_fallback_public_client', 'portal')).toMatchObject({
      application_id: REGISTRATION,
      enabled: true,
    });
  });

  test('requests Microsoft Graph User.Read and its own access_as_user', () => {
    expect(resourceOf(stack, 'azuread_application_api_access', 'portal_microsoft_graph')).toMatchObject({
      application_id: REGISTRATION,
      api_client_id: MICROSOFT_GRAPH_CLIENT_ID,
      scope_ids: [GRAPH_USER_READ_SCOPE_ID],
    });
    expect(resourceOf(stack, 'azuread_application_api_access', 'portal_self')).toMatchObject({
      application_id: REGISTRATION,
      api_client_id: CLIENT_ID,
      scope_ids: [SCOPE_ID],
    });
  });

  test('pre-authorizes its own client for access_as_user, after the scope exists', () => {
    expect(resourceOf(stack, 'azuread_application_pre_authorized', 'portal_self')).toMatchObject({
      application_id: REGISTRATION,
      authorized_client_id: CLIENT_ID,
      permission_ids: [SCOPE_ID],
    });
  });

  test('creates the service principal as an enterprise application', () => {
    const sp = resourceOf(stack, 'azuread_service_principal', 'portal');
    expect(sp.client_id).toBe(CLIENT_ID);
    expect(sp.feature_tags).toEqual([{ enterprise: true }]);
    expect(sp.owners).toBeUndefined();
  });

  test('grants admin consent for all principals, one grant per resource service principal', () => {
    const grants = stack.resource.azuread_service_principal_delegated_permission_grant;
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
      depends_on: ['azuread_application_permission_scope.portal_access_as_user'],
    });
    for (const grant of Object.values(grants)) expect(grant.user_object_id).toBeUndefined();
    expect(stack.data.azuread_service_principal.portal_microsoft_graph.client_id).toBe(MICROSOFT_GRAPH_CLIENT_ID);
  });

  test('adds one key credential per certificate, named by thumbprint, with dates inside its validity', () => {
    const env = environment({
      certificates: [
        { source: 'file', path: 'certs/valid.cer' },
        { source: 'file', path: 'certs/second.cer' },
      ],
    });
    const credentials = synthStack(env).resource.azuread_application_certificate;
    const certificates = fileCertificates(env);
    expect(Object.keys(credentials).sort()).toEqual(certificates.map((c) => `portal_${c.thumbprint.toLowerCase()}`).sort());
    for (const certificate of certificates) {
      const credential = credentials[`portal_${certificate.thumbprint.toLowerCase()}`];
      expect(credential).toMatchObject({
        application_id: REGISTRATION,
        type: 'AsymmetricX509Cert',
        encoding: 'pem',
        value: certificate.pem,
        start_date: certificate.notBefore.toISOString().replace('.000Z', 'Z'),
        end_date: certificate.notAfter.toISOString().replace('.000Z', 'Z'),
      });
      expect(credential.value).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    }
  });

  test('adds owners to the application and the service principal', () => {
    const owners = ['aaaaaaaa-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000002'];
    const owned = synthStack(environment({ owners }));
    expect(Object.values(owned.resource.azuread_application_owner).map((o) => o.owner_object_id)).toEqual(owners);
    expect(resourceOf(owned, 'azuread_service_principal', 'portal').owners).toEqual(owners);
  });

  describe('the deploying identity', () => {
    const DEPLOYER = 'dddddddd-0000-4000-8000-00000000000d';
    const OWNER = 'aaaaaaaa-0000-0000-0000-000000000001';

    test('always owns the service principal, next to the environment owners', () => {
      const deployed = synthStack(environment({ deployingIdentityObjectId: DEPLOYER, owners: [OWNER] }));
      expect(resourceOf(deployed, 'azuread_service_principal', 'portal').owners).toEqual([DEPLOYER, OWNER]);
      const alone = synthStack(environment({ deployingIdentityObjectId: DEPLOYER }));
      expect(resourceOf(alone, 'azuread_service_principal', 'portal').owners).toEqual([DEPLOYER]);
    });

    test('is listed once when the environment owners name it too', () => {
      const deployed = synthStack(environment({ deployingIdentityObjectId: DEPLOYER, owners: [OWNER, DEPLOYER] }));
      expect(resourceOf(deployed, 'azuread_service_principal', 'portal').owners).toEqual([DEPLOYER, OWNER]);
    });

    test('gets no owner resource on a new registration, which Entra makes it own by creating it', () => {
      const deployed = synthStack(environment({ deployingIdentityObjectId: DEPLOYER }));
      expect(deployed.resource.azuread_application_owner).toBeUndefined();
    });

    test('comes from the environment, so the plan is the same whichever identity makes it', () => {
      const deployed = JSON.stringify(synthStack(environment({ deployingIdentityObjectId: DEPLOYER })));
      expect(deployed).not.toContain('azuread_client_config');
      expect(deployed).toContain(DEPLOYER);
    });
  });

  test('pins the provider to the tenant and the cloud', () => {
    expect(stack.provider.azuread).toEqual([{ tenant_id: TENANT, environment: 'global' }]);
    const china = synthStack(environment({ cloud: 'china' }));
    expect(china.provider.azuread).toEqual([{ tenant_id: TENANT, environment: 'china' }]);
    expect(china.output.admin_consent_url.value).toBe(
      `https://login.chinacloudapi.cn/organizations/adminconsent?client_id=${CLIENT_ID}`,
    );
    expect(china.output.vb365_restore_portal_command.value).toContain('-Region China');
  });

  test('keeps local state in the project root, addressed relative to the stack folder', () => {
    expect(stack.terraform.backend).toEqual({ local: { path: '../../../terraform.test.tfstate' } });
  });
});

describe('stack outputs', () => {
  const env = environment();
  const outputs = synthStack(env).output;
  const certificate = fileCertificates(env)[0];

  test('give the IDs the backup admin and the Entra admin need', () => {
    expect(outputs.application_id.value).toBe(CLIENT_ID);
    expect(outputs.application_object_id.value).toBe('${azuread_application_registration.portal.object_id}');
    expect(outputs.service_principal_object_id.value).toBe(SP_OBJECT_ID);
    expect(outputs.tenant_id.value).toBe(TENANT);
    expect(outputs.identifier_uri.value).toBe(`api://${CLIENT_ID}`);
    expect(outputs.redirect_uris.value).toEqual(['https://restore.example.com:4443']);
  });

  test('list each certificate with the thumbprint Windows and VB365 show, and its expiry', () => {
    expect(outputs.certificates.value).toEqual([
      { thumbprint: certificate.thumbprint, subject: 'CN=restore.test.example', not_after: '2036-11-24T20:10:01Z' },
    ]);
    expect(certificate.thumbprint).toMatch(/^[0-9A-F]{40}$/);
  });

  test('give the admin consent URL for customer tenants', () => {
    expect(outputs.admin_consent_url.value).toBe(
      `https://login.microsoftonline.com/organizations/adminconsent?client_id=${CLIENT_ID}`,
    );
  });

  test('give the Set-VBORestorePortalSettings line without any password in it', () => {
    const command: string = outputs.vb365_restore_portal_command.value;
    expect(command).toContain('Set-VBORestorePortalSettings -EnableService');
    expect(command).toContain(`-ApplicationId ${CLIENT_ID}`);
    expect(command).toContain("-PortalUri 'https://restore.example.com:4443'");
    expect(command).toContain('-Region Worldwide');
    expect(command).toContain(certificate.thumbprint);
    expect(command).toContain('(Read-Host -AsSecureString');
  });
});
