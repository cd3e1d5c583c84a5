import { IMPORT_ID } from '../lib/construct/adoption';
import { environment, fileCertificates, problemsOf, resourceOf, synthStack, validInput, type SynthesizedStack } from './support/builders';

const APP = '22222222-aaaa-4bbb-8ccc-000000000001';
const CLIENT = '33333333-aaaa-4bbb-8ccc-000000000001';
const SCOPE = '44444444-aaaa-4bbb-8ccc-000000000001';
const SP = '55555555-aaaa-4bbb-8ccc-000000000001';
const KEY = '66666666-aaaa-4bbb-8ccc-000000000001';
const OWNER = 'aaaaaaaa-0000-4000-8000-000000000001';
const THUMBPRINT = fileCertificates(environment())[0].thumbprint;

/** The IDs of a registration made by Veeam's wizard, as an environment's `adopt` gives them. */
function adopt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { applicationObjectId: APP, clientId: CLIENT, scopeId: SCOPE, servicePrincipalObjectId: SP, ...overrides };
}

/** The import blocks of a synthesized stack, by the address they import to. */
function importsIn(stack: SynthesizedStack): Record<string, string> {
  const blocks = (stack as unknown as { import?: { to: string; id: string }[] }).import ?? [];
  return Object.fromEntries(blocks.map((block) => [block.to, block.id]));
}

describe('adopting an existing registration', () => {
  const second = 'aaaaaaaa-0000-4000-8000-000000000002';
  const certificate = `portal_${THUMBPRINT.toLowerCase()}`;
  /** As Veeam's wizard leaves it: nothing more than the four IDs known. */
  const wizard = synthStack(environment({ adopt: adopt() }));
  /** With consent given, its certificate uploaded, pre-authorized and owned by one of the listed owners. */
  const everything = synthStack(
    environment({
      owners: [OWNER, second],
      adopt: adopt({
        consentGrantIds: { microsoftGraph: 'AbC-dEf_123', self: 'XyZ-987' },
        certificateKeyIds: { [THUMBPRINT.toLowerCase()]: KEY },
        preAuthorized: true,
        existingOwners: [OWNER],
      }),
    }),
  );

  test('imports the registration and everything every Restore Portal registration has, with azuread 3.x import IDs', () => {
    expect(importsIn(wizard)).toEqual({
      'azuread_application_registration.portal': `/applications/${APP}`,
      'azuread_application_identifier_uri.portal': `/applications/${APP}/identifierUris/${Buffer.from(`api://${CLIENT}`).toString('base64')}`,
      'azuread_application_permission_scope.portal_access_as_user': `/applications/${APP}/permissionScopes/${SCOPE}`,
      'azuread_application_redirect_uris.portal_spa': `/applications/${APP}/redirectUris/SPA`,
      'azuread_application_fallback_public_client.portal': `/applications/${APP}/fallbackPublicClient`,
      'azuread_application_api_access.portal_microsoft_graph': `/applications/${APP}/apiAccess/00000003-0000-0000-c000-000000000000`,
      'azuread_application_api_access.portal_self': `/applications/${APP}/apiAccess/${CLIENT}`,
      'azuread_service_principal.portal': `/servicePrincipals/${SP}`,
    });
  });

  test("imports the deploying identity's ownership of the registration, which it cannot give itself", () => {
    const deployer = 'dddddddd-0000-4000-8000-00000000000d';
    const adopted = synthStack(environment({ deployingIdentityObjectId: deployer, adopt: adopt() }));
    const address = `azuread_application_owner.portal_${deployer.replace(/-/g, '')}`;
    expect(importsIn(adopted)[address]).toBe(`/applications/${APP}/owners/${deployer}`);
    expect(resourceOf(adopted, 'azuread_application_owner', address.split('.')[1]).owner_object_id).toBe(deployer);
    expect(resourceOf(adopted, 'azuread_service_principal', 'portal').owners).toEqual([deployer]);
  });

  test('keeps the existing scope ID', () => {
    expect(environment({ adopt: adopt() }).scopeId).toBe(SCOPE);
    expect(resourceOf(wizard, 'azuread_application_permission_scope', 'portal_access_as_user').scope_id).toBe(SCOPE);
  });

  test('imports the admin consent grants it is given', () => {
    expect(importsIn(everything)).toMatchObject({
      'azuread_service_principal_delegated_permission_grant.portal_microsoft_graph': '/oauth2PermissionGrants/AbC-dEf_123',
      'azuread_service_principal_delegated_permission_grant.portal_self': '/oauth2PermissionGrants/XyZ-987',
    });
  });

  test('imports the pre-authorization only when the registration has one (the wizard and the article do not)', () => {
    expect(importsIn(everything)['azuread_application_pre_authorized.portal_self']).toBe(`${APP}/preAuthorizedApplication/${CLIENT}`);
  });

  test('imports the key credential of a certificate by key ID, and never replaces it for its text or dates', () => {
    expect(importsIn(everything)[`azuread_application_certificate.${certificate}`]).toBe(`${APP}/certificate/${KEY}`);
    expect(resourceOf(everything, 'azuread_application_certificate', certificate).lifecycle).toEqual({
      create_before_destroy: true,
      ignore_changes: ['value', 'encoding', 'start_date', 'end_date'],
    });
  });

  test('adds certificates without a key ID as new key credentials', () => {
    expect(resourceOf(wizard, 'azuread_application_certificate', certificate).lifecycle).toEqual({ create_before_destroy: true });
  });

  test('imports the owners that already own it and adds the others', () => {
    const imports = importsIn(everything);
    expect(imports[`azuread_application_owner.portal_${OWNER.replace(/-/g, '')}`]).toBe(`/applications/${APP}/owners/${OWNER}`);
    expect(imports).not.toHaveProperty([`azuread_application_owner.portal_${second.replace(/-/g, '')}`]);
  });

  test('an environment without adopt imports nothing', () => {
    expect(importsIn(synthStack())).toEqual({});
  });
});

describe('import ID formats', () => {
  test('address an identifier URI by its base64, escaped for a path segment, as the provider docs show', () => {
    expect(IMPORT_ID.identifierUri('00000000-0000-0000-0000-000000000000', 'https://example.net/')).toBe(
      '/applications/00000000-0000-0000-0000-000000000000/identifierUris/aHR0cHM6Ly9leGFtcGxlLm5ldC8%3D',
    );
  });

  test('write the pre-authorization and the certificate without a leading slash', () => {
    expect(IMPORT_ID.preAuthorized(APP, CLIENT)).toBe(`${APP}/preAuthorizedApplication/${CLIENT}`);
    expect(IMPORT_ID.certificate(APP, KEY)).toBe(`${APP}/certificate/${KEY}`);
  });
});

describe('adopt validation', () => {
  test('requires the four IDs of the registration, each a GUID', () => {
    expect(problemsOf(validInput({ adopt: { clientId: 'not-a-guid' } }))).toEqual([
      'environments/test.ts: adopt.applicationObjectId: is required to adopt a registration: the object ID of the app registration, a GUID',
      'environments/test.ts: adopt.clientId: must be the Application (client) ID, a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx); got "not-a-guid"',
      'environments/test.ts: adopt.scopeId: is required to adopt a registration: the ID of the access_as_user scope, a GUID',
      'environments/test.ts: adopt.servicePrincipalObjectId: is required to adopt a registration: the object ID of the service principal (Enterprise application), a GUID',
    ]);
  });

  test('suggests the field meant by a misspelt one', () => {
    expect(problemsOf(validInput({ adopt: adopt({ certificateKeyId: {} }) }))).toEqual([
      'environments/test.ts: adopt.certificateKeyId: unknown field; did you mean "certificateKeyIds"?',
    ]);
  });

  test('rejects a scopeId that differs from the adopted one, and accepts the same', () => {
    expect(problemsOf(validInput({ scopeId: '77777777-aaaa-4bbb-8ccc-000000000001', adopt: adopt() }))).toEqual([
      `environments/test.ts: scopeId: differs from adopt.scopeId (${SCOPE}); an adopted registration keeps its scope ID: remove scopeId`,
    ]);
    expect(problemsOf(validInput({ scopeId: SCOPE.toUpperCase(), adopt: adopt() }))).toEqual([]);
  });

  test('takes key IDs only for certificates the environment lists', () => {
    const other = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    expect(problemsOf(validInput({ adopt: adopt({ certificateKeyIds: { [other]: KEY, 'not-a-thumbprint': KEY } }) }))).toEqual([
      `environments/test.ts: adopt.certificateKeyIds.${other}: no certificate in certificates has this thumbprint; theirs: ${THUMBPRINT}`,
      'environments/test.ts: adopt.certificateKeyIds.not-a-thumbprint: must be keyed by a SHA-1 thumbprint (40 hexadecimal digits, as Windows and VB365 show it)',
    ]);
  });

  test('wants grant IDs alone, not import IDs', () => {
    expect(problemsOf(validInput({ adopt: adopt({ consentGrantIds: { self: '/oauth2PermissionGrants/abc' } }) }))).toEqual([
      'environments/test.ts: adopt.consentGrantIds.self: must be the id of an oauth2PermissionGrant (letters, digits, "-" and "_", without "/oauth2PermissionGrants/"); got "/oauth2PermissionGrants/abc"',
    ]);
  });

  test('takes existing owners only from owners, and preAuthorized only as a boolean', () => {
    expect(problemsOf(validInput({ adopt: adopt({ existingOwners: [OWNER], preAuthorized: 'yes' }) }))).toEqual([
      'environments/test.ts: adopt.preAuthorized: must be true or false; got "yes"',
      `environments/test.ts: adopt.existingOwners[0]: ${OWNER} is not in owners; list it there too, or remove it here`,
    ]);
  });
});
