import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway copy of this project with `count` generated environments: the real main.ts, lib/ and
 * bin/ (linked), and environment files shaped like real ones (two portal addresses, a certificate),
 * each with `customerTenants` customer tenants.
 */
export function generatedProject(repoRoot: string, count: number, customerTenants = 0): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), `bench-${count}-envs-`));
  const environments = join(root, 'environments');
  mkdirSync(join(environments, 'certs'), { recursive: true });
  // A test certificate, not the user's: the bench must run whatever environments/ holds.
  copyFileSync(join(repoRoot, '__tests__/fixtures/certs/valid.cer'), join(environments, 'certs/portal.cer'));
  // Copied, not linked: main.ts and the commands find the project from their own folder.
  copyFileSync(join(repoRoot, 'main.ts'), join(root, 'main.ts'));
  cpSync(join(repoRoot, 'cli'), join(root, 'cli'), { recursive: true });
  copyFileSync(join(repoRoot, 'cdktf.json'), join(root, 'cdktf.json'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-platform-repo', private: true }));
  for (const linked of ['lib', 'bin', 'node_modules']) symlinkSync(join(repoRoot, linked), join(root, linked));
  for (let i = 0; i < count; i++) {
    const id = String(i).padStart(4, '0');
    writeFileSync(
      join(environments, `customer-${id}.ts`),
      `import { defineEnvironment } from '../lib/environment';

export default defineEnvironment({
  tenantId: '00000000-0000-4000-8000-00000000${id}',
  redirectUris: ['https://restore-${id}.example.com:4443', 'https://restore-${id}-dr.example.com:4443'],
  certificates: [{ source: 'file', path: 'certs/portal.cer' }],
  backend: { type: 'azurerm', storageAccountName: 'sttfstate', containerName: 'restore-portal' },
  deployingIdentityObjectId: 'dddddddd-0000-4000-8000-00000000${id}',
${customerTenants > 0 ? `  customerTenants: ${JSON.stringify(Array.from({ length: customerTenants }, (_, t) => tenant(i, t)))},\n` : ''}});
`,
    );
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A customer tenant with a name and tenant ID unique across the generated project. */
function tenant(environment: number, index: number): { name: string; tenantId: string } {
  const suffix = `${String(environment).padStart(4, '0')}${String(index).padStart(8, '0')}`;
  return { name: `customer${String(index).padStart(4, '0')}`, tenantId: `10000000-0000-4000-8000-${suffix}` };
}
