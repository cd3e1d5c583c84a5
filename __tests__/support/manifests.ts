import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose, type DoctorOptions, type DoctorReport } from '../../lib/doctor/doctor';
import type { Environment } from '../../lib/environment/environment';
import { manifestOf, parseManifest, type ApplicationManifest } from '../../lib/doctor/manifest';
import { GRAPH_USER_READ_SCOPE_ID } from '../../lib/construct/well-known';
import { environment, FIXTURES, NOW } from './builders';

export const CLIENT_ID = '7a3c9d2e-1b4f-4c8a-9e6d-5f2a1b3c4d5e';
export const OBJECT_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const SCOPE_ID = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

export const ARTICLE_MANIFEST = join(FIXTURES, 'manifests', 'article-appendix-a.json');

/**
 * The Microsoft Graph format manifest of a working registration, as Entra gives it for download: what
 * `npm run manifest` writes for `env`, with fields only Entra fills in.
 */
export function graphManifest(env: Environment = environment()): Record<string, any> {
  return {
    ...JSON.parse(JSON.stringify(manifestOf(env, { clientId: CLIENT_ID, objectId: OBJECT_ID }))),
    createdDateTime: '2026-03-02T09:14:27Z',
    publisherDomain: 'contoso.onmicrosoft.com',
  };
}

/** Veeam's Appendix A manifest (Azure AD Graph format) with real IDs in place of ANYTHING and no empty redirect URI. */
export function azureAdGraphManifest(): Record<string, any> {
  const manifest = JSON.parse(readFileSync(ARTICLE_MANIFEST, 'utf8'));
  manifest.id = OBJECT_ID;
  manifest.appId = CLIENT_ID;
  manifest.identifierUris = [`api://${CLIENT_ID}`];
  manifest.oauth2Permissions[0].id = SCOPE_ID;
  manifest.replyUrlsWithType = manifest.replyUrlsWithType.filter((r: { url: string }) => r.url !== '');
  manifest.requiredResourceAccess = [
    { resourceAppId: CLIENT_ID, resourceAccess: [{ id: SCOPE_ID, type: 'Scope' }] },
    { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: GRAPH_USER_READ_SCOPE_ID, type: 'Scope' }] },
  ];
  manifest.keyCredentials[0].customKeyIdentifier = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';
  manifest.keyCredentials[0].keyId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  manifest.keyCredentials[0].value = null;
  return manifest;
}

/** Parses a manifest object as if it were read from a file. */
export function modelOf(manifest: unknown): ApplicationManifest {
  const result = parseManifest(JSON.stringify(manifest));
  if ('problem' in result) throw new Error(result.problem);
  return result.manifest;
}

/** Runs the doctor on a manifest object, at the tests' fixed clock. */
export function doctor(manifest: unknown, options: Partial<DoctorOptions> = {}): DoctorReport {
  return diagnose(modelOf(manifest), 'manifest.json', { now: NOW, ...options });
}

/** Every finding as `severity check field: message`, for readable expectations. */
export function findingsOf(report: DoctorReport): string[] {
  return report.checks.flatMap((c) => c.findings.map((f) => `${f.severity} ${c.check} ${f.field}: ${f.message}`));
}
