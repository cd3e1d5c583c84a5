import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { Testing, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminConsent, RestorePortalApp, RestorePortalAppPropsError, type RestorePortalAppProps } from '../lib/construct';
import { FIXTURES, problemsOf, resourceOf, testApp, validInput, type SynthesizedStack } from './support/builders';
import { temporaryFolder } from './support/clean-up';

const VALID = join(FIXTURES, 'certs/valid.cer');
const VALID_THUMBPRINT = '8081CE44ADF557BE7F269132ED4D6F8139CFF2FA';
const VALID_PEM = readFileSync(VALID, 'utf8').replace(/\r\n/g, '\n');
const PORTAL = 'https://restore.example.com:4443';

/** A consumer's own stack holding one RestorePortalApp: no environment file, no loader. */
function portal(props: Partial<RestorePortalAppProps> = {}, id = 'portal') {
  const stack = new TerraformStack(testApp(), 'consumer');
  const app = new RestorePortalApp(stack, id, { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }], ...props });
  return { app, synthesized: (): SynthesizedStack => JSON.parse(Testing.synth(stack)) };
}

/** The problem lines of props that must be refused. */
function propsProblems(props: unknown): string[] {
  try {
    new RestorePortalApp(new TerraformStack(testApp(), 'consumer'), 'portal', props as RestorePortalAppProps);
  } catch (error) {
    if (error instanceof RestorePortalAppPropsError) return error.message.split('\n');
    throw error;
  }
  throw new Error('the props were accepted but were expected to be refused');
}

describe('RestorePortalApp used in any CDK for Terraform app', () => {
  test('builds the registration from its props alone, with the defaults of an environment file', () => {
    const stack = portal().synthesized();
    expect(resourceOf(stack, 'azuread_application_registration', 'portal')).toMatchObject({
      display_name: 'VB365 Restore Portal',
      notes: 'Managed by CDK for Terraform (consumer/portal). Changes made here are reverted by the next deploy.',
    });
    expect(resourceOf(stack, 'azuread_application_redirect_uris', 'portal_spa').redirect_uris).toEqual([PORTAL]);
    expect(resourceOf(stack, 'azuread_application_certificate', `portal_${VALID_THUMBPRINT.toLowerCase()}`).value).toBe(VALID_PEM);
  });

  test('takes a certificate as PEM text or DER bytes as well as by path, the same key credential each way', () => {
    const der = readFileSync(join(FIXTURES, 'certs/valid.der.cer'));
    for (const certificate of [
      { source: 'content', content: VALID_PEM },
      { source: 'content', content: der, label: 'portal certificate' },
    ] as const) {
      const stack = portal({ certificates: [certificate] }).synthesized();
      expect(resourceOf(stack, 'azuread_application_certificate', `portal_${VALID_THUMBPRINT.toLowerCase()}`).value).toBe(VALID_PEM);
    }
  });

  test('refuses what Entra would refuse with the messages an environment file gets, by prop path', () => {
    const wrong = { redirectUris: ['http://restore.example.com:4443'], owners: ['not-a-guid'], cloud: 'mars' };
    const fromFile = problemsOf(validInput(wrong)).map((line) => line.replace(/^environments\/test\.ts: /, 'RestorePortalApp consumer/portal: '));
    expect(fromFile).toHaveLength(3);
    expect(propsProblems({ redirectUris: wrong.redirectUris, certificates: [{ source: 'file', path: VALID }], owners: wrong.owners, cloud: wrong.cloud })).toEqual(fromFile);
  });

  test('names a misspelt prop and the nearest one, as JavaScript callers have no type checker', () => {
    expect(propsProblems({ redirectUri: [PORTAL], certificates: [{ source: 'file', path: VALID }] })).toEqual([
      'RestorePortalApp consumer/portal: redirectUri: unknown field; did you mean "redirectUris"?',
      'RestorePortalApp consumer/portal: redirectUris: is required',
    ]);
  });

  test('reads a relative certificate path from the working directory, and says so when it is missing', () => {
    expect(propsProblems({ redirectUris: [PORTAL], certificates: [{ source: 'file', path: 'certs/missing.cer' }] })).toEqual([
      'RestorePortalApp consumer/portal: certificates[0].path: file not found: certs/missing.cer (paths are relative to the working directory)',
    ]);
  });

  test('refuses a certificate file outside the working directory, and says how to give one kept elsewhere', () => {
    const outside = join(temporaryFolder('restore-portal-cert-'), 'portal.cer');
    copyFileSync(VALID, outside);
    expect(propsProblems({ redirectUris: [PORTAL], certificates: [{ source: 'file', path: outside }] })).toEqual([
      `RestorePortalApp consumer/portal: certificates[0].path: ${outside} is outside the working directory (the project cdktf synthesizes); keep certificate files in it, or give the certificate as { source: "content", content } (links are followed)`,
    ]);
  });

  test('refuses an expired certificate, a private key given as content, content that is no certificate, and a label that would drive the terminal', () => {
    const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';
    expect(
      propsProblems({
        redirectUris: [PORTAL],
        certificates: [
          { source: 'file', path: join(FIXTURES, 'certs/expired.cer') },
          { source: 'content', content: privateKey },
          { source: 'content', content: 42 },
          { source: 'content', content: VALID_PEM, label: 'vault\u001b[2J' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^RestorePortalApp consumer\/portal: certificates\[0\]\.path: .*expired\.cer \(thumbprint [0-9A-F]{40}\) expired on 2021-01-01T00:00:00Z; give a certificate that is still valid$/),
      expect.stringMatching(/^RestorePortalApp consumer\/portal: certificates\[1\]\.content: the certificate contains a private key; refusing to use it\./),
      'RestorePortalApp consumer/portal: certificates[2].content: must be the certificate as PEM text or DER bytes (a Buffer or Uint8Array); got number 42',
      'RestorePortalApp consumer/portal: certificates[3].label: must not contain control characters (line breaks, escape sequences); got "vault\\u001b[2J"',
    ]);
  });

  test('a prop value with a direction override or a line break is refused on one line, shown escaped', () => {
    expect(propsProblems({ redirectUris: ['https://a.example.com:4443/\u202e\n::error::x'], certificates: [{ source: 'file', path: VALID }] })).toEqual([
      'RestorePortalApp consumer/portal: redirectUris[0]: must not contain control characters (tab, line break, ...); got "https://a.example.com:4443/\\u202e\\n::error::x"',
    ]);
  });

  test('refuses oversized certificate content and Terraform references in texts that take none, and keeps a literal ${ literal', () => {
    expect(
      propsProblems({
        redirectUris: [PORTAL],
        certificates: [{ source: 'file', path: VALID }],
        consentTexts: { adminConsentDisplayName: '${TfToken[TOKEN.1]}' },
      }),
    ).toEqual([expect.stringMatching(/^RestorePortalApp consumer\/portal: consentTexts\.adminConsentDisplayName: is a Terraform reference \(a cdktf token\)/)]);
    expect(propsProblems({ redirectUris: [PORTAL], certificates: [{ source: 'content', content: Buffer.alloc(65 * 1024, 0x41) }] })).toEqual([
      expect.stringMatching(/^RestorePortalApp consumer\/portal: certificates\[0\]\.content: the certificate is larger than a certificate can be/),
    ]);
    const stack = portal({ displayName: 'Portal ${file("/etc/passwd")}' }).synthesized();
    expect(resourceOf(stack, 'azuread_application_registration', 'portal').display_name).toBe('Portal $${file("/etc/passwd")}');
  });

  test('holds two apps side by side in one stack when their ids differ', () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    new AzureadProvider(stack, 'azuread', {});
    for (const id of ['portal-eu', 'portal-us']) new RestorePortalApp(stack, id, { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
    const synthesized: SynthesizedStack = JSON.parse(Testing.synth(stack, true));
    expect(Object.keys(synthesized.resource.azuread_application_registration)).toEqual(['portal-eu', 'portal-us']);
  });

  test('refuses Terraform names another app in the stack has, instead of merging the two apps into one', () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    const props = { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] } as const;
    new RestorePortalApp(stack, 'portal', props);
    expect(() => new RestorePortalApp(new Construct(stack, 'team-b'), 'portal-b', { ...props, terraformName: 'portal' })).toThrow(
      new RestorePortalAppPropsError('consumer/team-b/portal-b', [
        {
          path: '',
          message:
            'azuread_application_registration.portal is also the Terraform name of consumer/portal/registration (and 12 more of its names), ' +
            'and Terraform would merge the two into one. Its resources are named "portal..." (from its id, or its path below the stack): give it an id that no other resource of the stack uses, or a terraformName of its own',
        },
      ]),
    );
  });

  test("fails synthesis when a resource added later takes one of the app's Terraform names", () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    new AzureadProvider(stack, 'azuread', {});
    new RestorePortalApp(stack, 'portal', { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    new ServicePrincipal(stack, 'graph', { clientId: '00000003-0000-0000-c000-000000000000' }).overrideLogicalId('portal');
    expect(() => Testing.synth(stack, true)).toThrow(
      /\[consumer\/portal\] azuread_service_principal\.portal is also the Terraform name of consumer\/graph, and Terraform would merge/,
    );
  });

  test("puts every azuread resource and lookup on the provider given, as a stack with an aliased provider for another tenant needs", () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    new AzureadProvider(stack, 'azuread', {});
    new TlsProvider(stack, 'tls');
    const partner = new AzureadProvider(stack, 'partner', { alias: 'partner', tenantId: '11111111-0000-4000-8000-000000000000' });
    new RestorePortalApp(stack, 'portal', {
      redirectUris: [PORTAL],
      certificates: [{ source: 'file', path: VALID }, { source: 'selfSigned', name: 'next' }],
      provider: partner,
    });
    const synthesized = JSON.parse(Testing.synth(stack, true));
    const providers = (blocks: Record<string, Record<string, { provider?: string }>>) =>
      Object.entries(blocks).flatMap(([type, named]) => Object.entries(named).map(([name, block]) => `${type}.${name} ${block.provider ?? 'default'}`));
    const used = [...providers(synthesized.resource), ...providers(synthesized.data)];
    expect(used.filter((line) => line.startsWith('azuread_'))).toHaveLength(14);
    expect(used.filter((line) => line.startsWith('azuread_') && !line.endsWith(' azuread.partner'))).toEqual([]);
    expect(used.filter((line) => line.startsWith('tls_'))).toEqual(['tls_private_key.portal_next default', 'tls_self_signed_cert.portal_next default', 'tls_certificate.portal_next default']);
  });

  test("gives admin consent through the customer tenant's aliased provider, Graph's lookup included", () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    new AzureadProvider(stack, 'azuread', {});
    const customer = new AzureadProvider(stack, 'customer', { alias: 'customer', tenantId: '22222222-0000-4000-8000-000000000000' });
    new AdminConsent(stack, 'consent', { servicePrincipalObjectId: '33333333-0000-4000-8000-000000000000', logicalIdPrefix: 'customer', provider: customer });
    const synthesized = JSON.parse(Testing.synth(stack, true));
    expect(synthesized.data.azuread_service_principal.customer_microsoft_graph.provider).toBe('azuread.customer');
    const grants = Object.values(synthesized.resource.azuread_service_principal_delegated_permission_grant) as { provider?: string }[];
    expect(grants.map((grant) => grant.provider)).toEqual(['azuread.customer', 'azuread.customer']);
  });

  test("refuses a provider that is not an azuread provider of the app's own stack", () => {
    const app = testApp();
    const other = new AzureadProvider(new TerraformStack(app, 'other'), 'azuread', {});
    const stack = new TerraformStack(app, 'consumer');
    const props = { redirectUris: [PORTAL], certificates: [{ source: 'file', path: VALID }] } as const;
    const problems = (provider: unknown) => {
      try {
        new RestorePortalApp(stack, `portal-${stack.node.children.length}`, { ...props, provider: provider as AzureadProvider });
      } catch (error) {
        return (error as RestorePortalAppPropsError).problems;
      }
      return [];
    };
    expect(problems(other)).toEqual([{ path: 'provider', message: "must be a provider of the app's own stack (consumer); got one of other" }]);
    expect(problems(new TlsProvider(stack, 'tls'))).toEqual([{ path: 'provider', message: expect.stringMatching(/^must be an azuread provider/) }]);
    expect(problems({ alias: 'partner' })).toEqual([{ path: 'provider', message: expect.stringMatching(/^must be an azuread provider .*; got an object$/) }]);
  });

  test('names each Terraform reference (token) where a prop takes none, as a list or a number, instead of judging its placeholder', () => {
    const stack = new TerraformStack(testApp(), 'consumer');
    const variable = new TerraformVariable(stack, 'from_terraform', {});
    let problems: readonly { path: string; message: string }[] = [];
    try {
      new RestorePortalApp(stack, 'portal', {
        redirectUris: Token.asList(variable.value),
        certificates: [{ source: 'selfSigned', name: 'current', validityDays: Token.asNumber(variable.value) }],
        owners: [variable.stringValue],
      });
    } catch (error) {
      problems = (error as RestorePortalAppPropsError).problems;
    }
    const message = expect.stringMatching(/^is a Terraform reference \(a cdktf token\), whose value is known only when Terraform applies; this prop takes the value itself/);
    expect(problems).toEqual([
      { path: 'redirectUris', message },
      { path: 'certificates[0].validityDays', message },
    ]);
  });

  test('derives a scope ID from its path when none is given: stable across synths, distinct per construct', () => {
    expect(portal().app.scopeId).toBe(portal().app.scopeId);
    expect(portal({}, 'other').app.scopeId).not.toBe(portal().app.scopeId);
    const scopeId = '0f7b7a4c-2b1e-4b8e-9c55-3a6b2f0d9e11';
    expect(portal({ scopeId }).app.scopeId).toBe(scopeId);
  });

  test('keeps the deploying identity an owner of the service principal when given as a prop', () => {
    const deployer = 'dddddddd-0000-4000-8000-000000000001';
    const stack = portal({ deployingIdentityObjectId: deployer }).synthesized();
    expect(resourceOf(stack, 'azuread_service_principal', 'portal').owners).toEqual([deployer]);
  });

  test("gives the admin consent URL on its cloud's sign-in host", () => {
    expect(portal({ cloud: 'usgovernment' }).app.adminConsentUrl).toMatch(/^https:\/\/login\.microsoftonline\.us\/organizations\/adminconsent\?client_id=/);
  });

  test('warns through a cdktf annotation that a self-signed certificate keeps its private key in Terraform state', () => {
    const { app } = portal({ certificates: [{ source: 'selfSigned', name: 'current' }] });
    const warnings = app.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
    expect(warnings).toEqual([expect.stringContaining('certificates[0]: self-signed "current": its private key is kept in Terraform state')]);
  });
});
