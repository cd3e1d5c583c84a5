import { join, resolve } from 'node:path';

/** Where synth writes the Terraform JSON: `$CDKTF_OUTDIR`, or `cdktf.out` in the project root. */
export function synthOutdir(projectRoot: string, outdir?: string): string {
  return resolve(projectRoot, outdir ?? (process.env.CDKTF_OUTDIR || 'cdktf.out'));
}

/** The folder one environment's Terraform runs in (`terraform -chdir=...`). */
export function stackDirectory(projectRoot: string, environment: string): string {
  return join(synthOutdir(projectRoot), 'stacks', environment);
}
