import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_AS_USER, MICROSOFT_GRAPH_CLIENT_ID } from '../lib/construct/well-known';
import { environment, FIXTURES, resourceOf, synthStack } from './support/builders';

/** Appendix A of Veeam's article: the manifest of a working hand-made registration (Azure AD Graph format). */
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifests/article-appendix-a.json'), 'utf8'));
const ANONYMIZED = 'ANYTHING';

describe("the synthesized registration matches the article's Appendix A manifest", () => {
  const stack = synthStack(environment({ redirectUris: ['https://restore.internal.veeam.lab:4443'] }));
  const registration = resourceOf(stack, 'azuread_application_registration', 'portal');
  const scope = resourceOf(stack, 'azuread_application_permission_scope', 'portal_access_as_user');

  test('display name', () => {
    expect(registration.display_name).toBe(manifest.name);
  });

  test('sign-in audience', () => {
    expect(registration.sign_in_audience).toBe(manifest.signInAudience);
  });

  test('public client flows', () => {
    expect(resourceOf(stack, 'azuread_application_fallback_public_client', 'portal').enabled).toBe(manifest.allowPublicClient);
  });

  test('implicit flows', () => {
    expect(registration.implicit_access_token_issuance_enabled).toBe(manifest.oauth2AllowImplicitFlow);
    expect(registration.implicit_id_token_issuance_enabled).toBe(manifest.oauth2AllowIdTokenImplicitFlow);
  });

  test('access token version (null in the manifest means version 1)', () => {
    expect(manifest.accessTokenAcceptedVersion).toBeNull();
    expect(registration.requested_access_token_version).toBe(1);
  });

  test('the access_as_user scope', () => {
    const [permission] = manifest.oauth2Permissions;
    expect(scope).toMatchObject({
      value: permission.value,
      type: permission.type,
      admin_consent_display_name: permission.adminConsentDisplayName,
      admin_consent_description: permission.adminConsentDescription,
      user_consent_display_name: permission.userConsentDisplayName,
      user_consent_description: permission.userConsentDescription,
    });
    // The granular resource has no "disabled" state: a scope it manages is enabled, as isEnabled says.
    expect(permission.isEnabled).toBe(true);
    expect(scope).not.toHaveProperty('enabled');
  });

  test('SPA redirect type and the real portal address', () => {
    const urls = manifest.replyUrlsWithType.filter((r: { url: string }) => r.url !== '' && !r.url.includes(ANONYMIZED));
    const redirects = resourceOf(stack, 'azuread_application_redirect_uris', 'portal_spa');
    expect(new Set(manifest.replyUrlsWithType.map((r: { type: string }) => r.type.toUpperCase()))).toEqual(new Set([redirects.type]));
    expect(redirects.redirect_uris).toEqual(urls.map((r: { url: string }) => r.url));
  });

  test('required resource access: Graph and its own scope, both delegated', () => {
    const graph = manifest.requiredResourceAccess.find((r: { resourceAppId: string }) => r.resourceAppId === MICROSOFT_GRAPH_CLIENT_ID);
    const self = manifest.requiredResourceAccess.find((r: { resourceAppId: string }) => r.resourceAppId === ANONYMIZED);
    expect(graph.resourceAccess.map((a: { type: string }) => a.type)).toEqual(['Scope']);
    expect(self.resourceAccess.map((a: { type: string }) => a.type)).toEqual(['Scope']);
    expect(resourceOf(stack, 'azuread_application_api_access', 'portal_microsoft_graph').api_client_id).toBe(graph.resourceAppId);
    expect(resourceOf(stack, 'azuread_application_api_access', 'portal_self')).toMatchObject({
      api_client_id: '${azuread_application_registration.portal.client_id}',
      scope_ids: [`\${azuread_application_permission_scope.portal_${ACCESS_AS_USER}.scope_id}`],
    });
    expect(manifest.requiredResourceAccess).toHaveLength(Object.keys(stack.resource.azuread_application_api_access).length);
  });

  test('key credential type', () => {
    const [key] = manifest.keyCredentials;
    expect(key).toMatchObject({ type: 'AsymmetricX509Cert', usage: 'Verify' });
    for (const credential of Object.values(stack.resource.azuread_application_certificate)) {
      expect(credential.type).toBe(key.type);
    }
  });
});
