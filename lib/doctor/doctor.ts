import { DEFAULT_EXPIRY_WARNING_DAYS } from '../certificates/certificate-expiry';
import type { Environment } from '../environment/environment';
import type { CheckResult } from './doctor-check';
import { compareWithEnvironment } from './environment-comparison';
import type { ApplicationManifest, ManifestFormat } from './manifest';
import { manifestChecks } from './manifest-checks';

export type { CheckName, CheckResult, Finding, Severity } from './doctor-check';

export interface DoctorReport {
  /** The manifest file, as given on the command line. */
  readonly manifest: string;
  readonly format: ManifestFormat;
  readonly application: { readonly displayName?: string; readonly clientId?: string; readonly objectId?: string };
  /** The environment file compared against, when one was given. */
  readonly environment?: string;
  readonly checks: readonly CheckResult[];
}

export interface DoctorOptions {
  /** The time certificates must be valid at. */
  readonly now: Date;
  /** Warn about certificates expiring within this many days. @default the environment's expiryWarningDays, else DEFAULT_EXPIRY_WARNING_DAYS */
  readonly warningDays?: number;
  /** Also report every difference from the registration this environment describes. */
  readonly environment?: Environment;
}

/**
 * Checks a manifest, point by point, against what a working Restore Portal needs and, given an
 * environment, against the registration that environment describes.
 */
export function diagnose(manifest: ApplicationManifest, file: string, options: DoctorOptions): DoctorReport {
  const warningDays = options.warningDays ?? options.environment?.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const checks = manifestChecks(manifest, options.now, warningDays);
  if (manifest.written) checks.unshift(WRITTEN_MANIFEST);
  const env = options.environment;
  if (env) checks.push(...compareWithEnvironment(manifest, env));
  return {
    manifest: file,
    format: manifest.format,
    application: {
      displayName: stringOrUndefined(manifest.displayName.value),
      clientId: stringOrUndefined(manifest.clientId.value),
      objectId: stringOrUndefined(manifest.objectId.value),
    },
    environment: env?.file,
    checks,
  };
}

/**
 * A manifest `npm run manifest` wrote is checked like any other, but it shows what an environment file
 * describes, not what the registration in Entra is: a clean report of it is no evidence that the
 * registration works, so it is a problem of its own (exit code 2), first in the report.
 */
const WRITTEN_MANIFEST: CheckResult = {
  check: 'manifest-source',
  title: 'Manifest downloaded from Entra',
  summary: 'downloaded from Entra',
  findings: [
    {
      severity: 'problem',
      field: '',
      message:
        "is the manifest npm run manifest writes from an environment file, not one downloaded from Entra: it shows what the code describes, not what the registration is. Download the registration's manifest (Entra admin center > App registrations > the registration > Manifest > Download) and check that",
    },
  ],
};

/** 0 when nothing is wrong (warnings allowed), 2 when something is. */
export function doctorExitCode(report: DoctorReport): 0 | 2 {
  return countFindings(report).problems > 0 ? 2 : 0;
}

export function countFindings(report: DoctorReport): { problems: number; warnings: number } {
  const all = report.checks.flatMap((c) => c.findings);
  return { problems: all.filter((f) => f.severity === 'problem').length, warnings: all.filter((f) => f.severity === 'warning').length };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
