import { tokenVariable, type Backend } from './backend';
import { describe, type Report } from '../input/field-reader';

/**
 * How the GitHub workflows treat an environment:
 * - `apply`: planned on pull requests, checked for drift and certificate expiry, and applied by apply.yml;
 * - `plan`: planned and checked like `apply`, but applied from a workstation, never by a workflow;
 * - `workstation`: no workflow touches it; planned and applied from a workstation only.
 */
export type CiMode = 'apply' | 'plan' | 'workstation';

export const CI_MODES = ['apply', 'plan', 'workstation'] as const satisfies readonly CiMode[];

/** What decides the default and what an explicit choice is checked against. */
export interface CiModeContext {
  /** Sources of the environment's certificates (`file`, `selfSigned`), undefined when they had problems. */
  readonly certificateSources?: readonly string[];
  readonly backend?: Backend;
  /** Examples are never planned, whatever `ci` says. */
  readonly example: boolean;
}

const SELF_SIGNED_IN_CI = (mode: CiMode) =>
  `is "${mode}" for an environment with a self-signed certificate: CI's plan identity reads this environment's state with every pull request's own code, and the state holds the certificate's private key (whoever holds it can sign in as the Restore Portal). Use a file certificate for an environment CI plans, or leave ci out (the default for self-signed certificates is "workstation")`;
const LOCAL_STATE_IN_CI = (mode: CiMode) =>
  `is "${mode}", but the environment keeps its state in a local file, which no CI job has: every run would start from empty state and ${mode === 'apply' ? 'register a new application' : 'plan a new application'}; set backend to { type: "azurerm", ... } or { type: "cloud", ... }, or leave ci out ("workstation")`;

const HOST_WITH_PORT_IN_CI =
  'has a port: Terraform reads the token of such a host only from its credentials file (terraform login), never from a TF_TOKEN_ variable, so the workflows cannot give it one; serve Terraform Enterprise on port 443, or set ci to "workstation"';

/**
 * Reads `ci`. Left out, it is the safe choice: `workstation` for an environment with a self-signed
 * certificate (its private key lives in the state that CI's plan identity would read with every pull
 * request's code) or with local state (which CI cannot see), `apply` otherwise.
 */
export function readCiMode(value: unknown, context: CiModeContext, report: Report, warn: Report): CiMode | undefined {
  const selfSigned = context.certificateSources?.includes('selfSigned') ?? false;
  const local = context.backend?.type === 'local';
  if (value !== undefined && !(CI_MODES as readonly unknown[]).includes(value)) {
    report('ci', `must be one of ${CI_MODES.map((m) => `"${m}"`).join(', ')} (how the GitHub workflows treat the environment); got ${describe(value)}`);
    return undefined;
  }
  const mode = (value as CiMode | undefined) ?? (selfSigned || local ? 'workstation' : 'apply');
  if (mode === 'workstation' || context.example) return mode;
  if (local) {
    report('ci', LOCAL_STATE_IN_CI(mode));
    return undefined;
  }
  if (selfSigned) warn('ci', SELF_SIGNED_IN_CI(mode));
  const backend = context.backend;
  if (backend?.type === 'cloud' && tokenVariable(backend) === undefined) warn('backend.hostname', HOST_WITH_PORT_IN_CI);
  return mode;
}

/** The environments CI plans and checks (`apply` and `plan`). */
export function isPlannedInCi(environment: { readonly ci: CiMode }): boolean {
  return environment.ci !== 'workstation';
}
