import { UserError } from './command-line';
import { runTerraformSync, terraformBinary, TerraformNotFoundError } from './terraform';

/** Terraform reads `import` blocks from 1.5.0 on; older versions reject the configuration. */
export const IMPORT_BLOCKS_SINCE = [1, 5, 0] as const;

/** The version of a Terraform binary (`1.11.4`), or why it could not be found out. */
export function terraformVersion(binary: string = terraformBinary()): { version: string } | { problem: string } {
  let output: string;
  try {
    // Terraform before 0.13 has no -json and exits non-zero, but still prints its version.
    output = runTerraformSync(['version', '-json'], { binary, timeoutMs: 30_000 }).stdout;
  } catch (error) {
    if (error instanceof TerraformNotFoundError) return { problem: `"${binary}" was not found${binary.includes('/') ? '' : ' on PATH'}` };
    if (error instanceof UserError) return { problem: error.message };
    throw error;
  }
  const version = parseVersion(output);
  return version ? { version } : { problem: `"${binary} version" did not print a Terraform version` };
}

function parseVersion(output: string): string | undefined {
  try {
    const parsed = JSON.parse(output);
    if (typeof parsed?.terraform_version === 'string') return parsed.terraform_version;
  } catch {
    // plain text output
  }
  return /Terraform v(\d+\.\d+\.\d+\S*)/.exec(output)?.[1];
}

/**
 * Why the Terraform that will plan this configuration cannot run its `import` blocks, or
 * undefined when it can. Checked once per synth, instead of cdktf's check, which runs
 * `terraform version` once per imported resource and fails with a stack trace.
 */
export function importBlocksProblem(binary: string = terraformBinary()): string | undefined {
  const found = terraformVersion(binary);
  const needed = IMPORT_BLOCKS_SINCE.join('.');
  if ('problem' in found) {
    return `importing an existing registration needs Terraform ${needed} or newer (import blocks), and ${found.problem}; install Terraform ${needed}+ or set TERRAFORM_BINARY_NAME`;
  }
  if (compareVersions(found.version, IMPORT_BLOCKS_SINCE) < 0) {
    return `importing an existing registration needs Terraform ${needed} or newer (import blocks); "${binary}" is ${found.version}: upgrade Terraform`;
  }
  return undefined;
}

function compareVersions(version: string, minimum: readonly number[]): number {
  const parts = version.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const difference = (parts[i] || 0) - minimum[i];
    if (difference !== 0) return difference;
  }
  return 0;
}
