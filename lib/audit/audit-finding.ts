import { clip } from '../process/problem';

/**
 * One thing the audit found in Entra that the code did not put there, or that the Restore Portal
 * needs and is missing or off. `kind` is stable (the JSON report's), the message is in the Entra
 * admin center's words, and `fix` says what to do: the `az` command that removes it, or what to put
 * into the environment file if it is meant.
 */
export type FindingKind =
  /** A setting the code manages, compared as `npm run doctor` compares a manifest with an environment. */
  | 'registration'
  | 'client-secret'
  | 'certificate'
  | 'certificate-missing'
  | 'federated-credential'
  | 'owner'
  | 'owner-missing'
  | 'redirect-uri'
  | 'scope'
  | 'app-role'
  | 'api-permission'
  | 'identifier-uri'
  | 'service-principal-missing'
  | 'service-principal-disabled'
  | 'service-principal-secret'
  | 'service-principal-certificate'
  | 'application-permission'
  | 'delegated-permission'
  | 'consent-missing';

export interface AuditFinding {
  readonly kind: FindingKind;
  /** The object in Entra it is on. */
  readonly object: 'application' | 'service principal';
  /** What is there (or missing), in the Entra admin center's words; text from Graph is quoted in it as it was, and escaped where shown. */
  readonly message: string;
  /** The ID of what was found (key ID, owner object ID, grant ID), when it has one. */
  readonly id?: string;
  /** When it was added, as Graph says (a date), where Graph keeps one. */
  readonly added?: string;
  /** What to do, in words. */
  readonly fix: string;
  /** The `az` command (bash) that does it, when there is one. */
  readonly command?: string;
}

/** The date part of a Graph timestamp, or undefined when it is none. */
export function dateOf(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) return undefined;
  return value.slice(0, 10);
}

/** A name from Graph in quotes, cut; control characters are escaped where it is shown. */
export function quoted(name: string | undefined): string {
  return name === undefined ? '(no name)' : `"${clip(name, 100)}"`;
}
