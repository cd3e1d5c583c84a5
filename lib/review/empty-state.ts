import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../process/plugin-cache';
import type { ReportItem } from './report/report-item';
import { azureStateCreationError } from './plan-failure';

/**
 * A stack that was never applied has no state, and Terraform's azurerm backend then creates an empty
 * one under a blob lease before it plans, in `init` as in `plan`, whatever `-lock=false` says
 * (internal/backend/remote-state/azure/backend_state.go, StateMgr: only when the blob holds no state).
 * An identity that may only read the container cannot, so its `init` fails with "failed to lock azure
 * state". What applying would do is then exactly what a plan against an empty state shows: such a stack
 * is planned in a scratch copy of its folder without the backend (an empty local state, thrown away),
 * which writes nothing to the container and leaves the stack's own folder as it was. The writing
 * identity's `init`, in the apply job, then creates the state as usual.
 */

/** Whether a failed `terraform init` means: the stack has no azurerm state yet, and this identity may not create it. */
export function isMissingAzureState(output: string): boolean {
  const error = azureStateCreationError(output);
  return error !== undefined && !error.leaseHeld;
}

/**
 * A scratch folder `<tmp>/restore-portal-empty-state-*\/<stack>` holding the stack's Terraform JSON
 * without its backend, and its lock file if it has one. The caller removes `root` when done.
 */
export function emptyStateCopy(stackDir: string, stack: string): { readonly root: string; readonly dir: string } {
  const config = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  if (config?.terraform?.backend !== undefined) delete config.terraform.backend;
  const root = mkdtempSync(join(tmpdir(), 'restore-portal-empty-state-'));
  // Named as the stack, so that terraform's messages and progress read the same as in its own folder.
  const dir = join(root, stack);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cdk.tf.json'), `${JSON.stringify(config, null, 2)}\n`);
  if (existsSync(join(stackDir, LOCK_FILE))) copyFileSync(join(stackDir, LOCK_FILE), join(dir, LOCK_FILE));
  return { root, dir };
}

export function removeEmptyStateCopy(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** The line a report of a stack planned against an empty state carries, first among its changes. */
export function noStateYetItem(stack: string): ReportItem {
  return {
    address: stack,
    type: 'stack',
    action: 'create',
    message: `no state yet: ${stack} was never applied, so it was planned against an empty state (none written); applying creates its state`,
  };
}
