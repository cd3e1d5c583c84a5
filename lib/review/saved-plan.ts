import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { UserError } from '../process/command-line';

/**
 * The file `terraform plan -out` saves a stack's plan in. A saved plan holds the prior state, and with
 * it sensitive values in clear (a self-signed certificate's private key): only its owner may read it
 * (0600), from before Terraform writes a byte of it, and no failed or refused plan leaves one behind.
 * `plan` keeps `plan.tfplan` for `terraform apply`; `drift` never applies, so it removes its own once read.
 */

/** What drift saves its plan as while it reads it: never `plan.tfplan`, which apply.yml applies. */
export const DRIFT_PLAN_FILE = '.drift.tfplan';

/**
 * An empty file only its owner may read, in place of any earlier plan, for terraform to write the
 * plan into: Terraform creates the file with `os.Create`, which keeps the mode of a file already
 * there (internal/plans/planfile/writer.go), so the plan is never readable by others, even while written.
 * @throws UserError when the file cannot be replaced (a folder in its way, a read-only stack folder)
 */
export function preparePlanFile(file: string): void {
  removePlanFile(file);
  try {
    writeFileSync(file, '', { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    throw new UserError(`${file}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), and terraform saves the stack's plan there`);
  }
}

/**
 * After terraform wrote the plan: 0600 whatever it did, in case it replaced the file rather than writing into it.
 * @throws UserError when there is no file to protect
 */
export function protectPlanFile(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (error) {
    throw new UserError(`${file}: terraform plan left no saved plan there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Removes a saved plan, so that it cannot be applied in place of the one a run makes or fails to make.
 * @throws UserError when something else is in its place (a folder is the user's, never removed)
 */
export function removePlanFile(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_FS_EISDIR' || code === 'EISDIR') {
      throw new UserError(`${file}: is a folder where terraform saves the stack's plan; remove or rename it, then plan again`);
    }
    throw new UserError(`${file}: an earlier saved plan that cannot be removed (${code ?? (error as Error).message}); remove it, then plan again`);
  }
}

/** Removes what a failed or refused plan left, if anything; what cannot be removed was never a plan of this run. */
export function discardPlanFile(file: string): void {
  try {
    removePlanFile(file);
  } catch {
    // The UserError that made the stack fail already names it.
  }
}
