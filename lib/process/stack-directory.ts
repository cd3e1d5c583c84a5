import { join, resolve } from 'node:path';

/** Where synth writes the Terraform JSON: `$CDKTF_OUTDIR`, or `cdktf.out` in the project root. */
export function synthOutdir(projectRoot: string, outdir?: string): string {
  return resolve(projectRoot, outdir ?? (process.env.CDKTF_OUTDIR || 'cdktf.out'));
}

/** The folder of an output folder that holds one folder per stack, as cdktf lays it out. */
export function stacksFolder(outdir: string): string {
  return join(outdir, 'stacks');
}

/** The folder one stack's Terraform runs in (`terraform -chdir=...`), inside an output folder. */
export function stackFolder(outdir: string, stack: string): string {
  return join(stacksFolder(outdir), stack);
}

/** The folder one environment's Terraform runs in, in the project's output folder. */
export function stackDirectory(projectRoot: string, environment: string): string {
  return stackFolder(synthOutdir(projectRoot), environment);
}
