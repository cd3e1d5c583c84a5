import { describe } from '../input/field-reader';
import type { ApplicationManifest, ManifestScope } from './manifest';
import { ACCESS_AS_USER } from '../construct/well-known';

/** A problem stops the Restore Portal from working (or a deploy from going through); a warning does not, yet. */
export type Severity = 'problem' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Where in the manifest, in that manifest's own field names (`replyUrlsWithType[0].url`); empty for the whole. */
  readonly field: string;
  /** What is wrong and how to fix it, in Entra admin center terms. */
  readonly message: string;
}

/** Stable names of the checks, for `--format json`. */
export type CheckName =
  | 'manifest-source'
  | 'sign-in-audience'
  | 'public-client'
  | 'implicit-grant'
  | 'scope'
  | 'identifier-uri'
  | 'redirect-uris'
  | 'api-permissions'
  | 'certificates'
  | 'token-version'
  | 'environment-registration'
  | 'environment-redirect-uris'
  | 'environment-certificates'
  | 'environment-scope';

export interface CheckResult {
  readonly check: CheckName;
  readonly title: string;
  /** What was found when nothing is wrong, e.g. "multitenant (AzureADMultipleOrgs)". */
  readonly summary: string;
  readonly findings: readonly Finding[];
}

/** Collects a check's findings; `malformed` lists under the given prefixes are problems of this check. */
export function check(
  name: CheckName,
  title: string,
  manifest: ApplicationManifest,
  prefixes: readonly string[],
  body: (problem: (field: string, message: string) => void, warning: (field: string, message: string) => void) => string,
): CheckResult {
  const findings: Finding[] = [];
  for (const entry of manifest.malformed) {
    if (prefixes.some((p) => entry.path.startsWith(p))) {
      findings.push({ severity: 'problem', field: entry.path, message: `must be a list; got ${describe(entry.value)}` });
    }
  }
  const summary = body(
    (field, message) => findings.push({ severity: 'problem', field, message }),
    (field, message) => findings.push({ severity: 'warning', field, message }),
  );
  return { check: name, title, summary, findings };
}

/** The manifest's scopes named access_as_user: one, when the registration is right. */
export function accessAsUserScopes(m: ApplicationManifest): ManifestScope[] {
  return m.scopes.filter((s) => s.value === ACCESS_AS_USER);
}

/** Where the manifest lists single-page application redirect URIs, in its own field names. */
export function spaRedirectUrisPath(m: ApplicationManifest): string {
  return m.format === 'microsoft-graph' ? 'spa.redirectUris' : 'replyUrlsWithType';
}

/** Entra writes GUIDs in lower case; people paste them in either. */
export function sameGuid(value: unknown, expected: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === expected.toLowerCase();
}
