// Kept apart from backend.ts, which reads environment files: commands that only read them (certs,
// doctor) must not load cdktf.
import { AzurermBackend, CloudBackend, LocalBackend, NamedCloudWorkspace, type TerraformStack } from 'cdktf';
import { relative, resolve } from 'node:path';
import type { Backend } from '../environment/backend';

/** Where a stack's Terraform runs (`cdktf.out/stacks/<name>`), and the project root local state paths start from. */
export interface StackPaths {
  readonly stackDir: string;
  readonly projectRoot: string;
}

/**
 * Configures the stack's backend. A local state path is written relative to the stack folder, where
 * Terraform runs, so that no machine's absolute path ends up in the synthesized JSON.
 */
export function applyBackend(stack: TerraformStack, backend: Backend, paths: StackPaths): void {
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: relative(paths.stackDir, resolve(paths.projectRoot, backend.path)) });
      return;
    case 'azurerm':
      new AzurermBackend(stack, {
        storageAccountName: backend.storageAccountName,
        containerName: backend.containerName,
        key: backend.key,
        resourceGroupName: backend.resourceGroupName,
        subscriptionId: backend.subscriptionId,
        useAzureadAuth: backend.useAzureadAuth,
        useOidc: backend.useOidc,
      });
      return;
    case 'cloud':
      new CloudBackend(stack, {
        organization: backend.organization,
        workspaces: new NamedCloudWorkspace(backend.workspace),
        hostname: backend.hostname,
      });
      return;
  }
}
