import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { applyBackend, type StackPaths } from './stack-backend';
import type { Environment } from '../environment/environment';
import { propsOfCheckedSettings, RestorePortalApp } from '../construct/restore-portal-app';
import { terraformLiteral } from '../process/terraform-literal';
import { restorePortalAppProps } from '../environment/environment-app-props';
import { withoutFinalResolve } from './synthesis-shortcuts';
import { ENVIRONMENT_OUTPUT, selfSignedOutputNames } from '../process/terraform-outputs';

export interface RestorePortalStackProps {
  /** The validated environment; the stack takes its name. */
  readonly environment: Environment;
  /** Who manages the registration (repository name), written into the registration's notes. */
  readonly managedBy: string;
  /**
   * Folder the stack's Terraform runs in (`cdktf.out/stacks/<name>`) and the project root; a local
   * state file is addressed relative to the stack folder so that no machine's absolute path ends up
   * in the synthesized JSON.
   */
  readonly paths: StackPaths;
}

/** One environment: the azuread provider pinned to its tenant, its state, the application and its outputs. */
export class RestorePortalStack extends TerraformStack {
  public readonly app: RestorePortalApp;

  constructor(scope: Construct, props: RestorePortalStackProps) {
    const env = props.environment;
    super(scope, env.name);

    // Credentials come from ARM_* variables, OIDC or the Azure CLI at plan time, never from a file.
    new AzureadProvider(this, 'azuread', { tenantId: env.tenantId, environment: env.cloud.providerEnvironment });
    // Only stacks that make certificates need the tls provider installed, and its bindings loaded.
    if (env.certificates.some((c) => c.source === 'selfSigned')) {
      const { TlsProvider } = require('@cdktf/provider-tls/lib/provider') as typeof import('@cdktf/provider-tls/lib/provider');
      new TlsProvider(this, 'tls');
    }
    applyBackend(this, env.backend, props.paths);

    // The environment is checked: the construct takes its settings as they are.
    const app = new RestorePortalApp(this, 'portal', propsOfCheckedSettings(restorePortalAppProps(env, props.managedBy), env));
    this.app = app;

    const output = (id: string, value: unknown, description: string, sensitive?: boolean) =>
      new TerraformOutput(this, id, { value, description, sensitive }).overrideLogicalId(id);

    output('application_id', app.clientId, 'Application (client) ID: VB365 -ApplicationId');
    output('application_object_id', app.applicationObjectId, 'Object ID of the application registration');
    output('service_principal_object_id', app.servicePrincipalObjectId, 'Object ID of the service principal (Enterprise application)');
    output('tenant_id', env.tenantId, 'Tenant that holds the registration');
    output(ENVIRONMENT_OUTPUT, env.name, 'Environment file this stack is made from: commands refuse saved outputs of another environment');
    output('identifier_uri', app.identifierUri, 'Application ID URI');
    output('redirect_uris', env.redirectUris.map(terraformLiteral), 'Restore Portal addresses registered as SPA redirect URIs');
    output(
      'certificates',
      app.keyCredentials.map((k) => ({ thumbprint: k.thumbprint, subject: terraformLiteral(k.certificate.subject), not_after: k.notAfter })),
      'Key credentials: SHA-1 thumbprint as Windows and VB365 show it, and expiry',
    );
    output('admin_consent_url', app.adminConsentUrl, 'Admin consent URL for customer tenants');
    output(
      'vb365_restore_portal_command',
      app.restorePortalSettingsCommand,
      'PowerShell for the VB365 server: Set-VBORestorePortalSettings (edit the PFX path first)',
    );
    for (const [name, certificate] of app.selfSignedCertificates) {
      const names = selfSignedOutputNames(name);
      output(names.pem, certificate.certificatePem, `Self-signed certificate "${name}" (PEM): the public part, as Entra holds it`);
      output(names.thumbprint, certificate.thumbprint, `SHA-1 thumbprint of self-signed certificate "${name}"`);
      output(names.notAfter, certificate.notAfter, `Expiry of self-signed certificate "${name}" (RFC 3339)`);
      output(
        names.privateKeyPem,
        certificate.privateKeyPem,
        `Private key of self-signed certificate "${name}": only for the PFX VB365 loads (npm run export-pfx)`,
        true,
      );
    }
  }

  /**
   * cdktf's preparing pass resolves every resource once more only to discover references to other
   * stacks; this stack makes none, and the pass costs a third of synthesis time.
   */
  public prepareStack(): void {
    this.ensureBackendExists();
  }

  /** As cdktf's, less a second resolution of the merged document (see withoutFinalResolve). */
  public toTerraform(): Record<string, unknown> {
    return withoutFinalResolve(this, () => super.toTerraform());
  }
}
