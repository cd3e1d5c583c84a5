import { symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../lib/environment/environment-files';
import { formatProblem } from '../lib/process/problem';
import { NOW, TestProject, validInput } from './support/builders';

const ACCOUNT = { type: 'azurerm', storageAccountName: 'contosotfstate', containerName: 'tfstate' };
const SHARING = "two stacks sharing one state each rewrite the other's registration on every apply; give each its own";

const projects: TestProject[] = [];
afterEach(() => projects.splice(0).forEach((project) => project.remove()));

/** The problem lines of loading these environment files (name to input) together. */
function problemsOf(files: Record<string, Record<string, unknown>>, links: Record<string, string> = {}): string[] {
  const project = new TestProject();
  projects.push(project);
  for (const [link, target] of Object.entries(links)) symlinkSync(target, join(project.root, link));
  for (const [name, overrides] of Object.entries(files)) project.writeEnvironment(name, validInput(overrides));
  return loadEnvironments({ projectRoot: project.root, now: NOW }).problems.map(formatProblem);
}

describe("a stack's state location is its own, across every environment and customer tenant", () => {
  test('two environments with one azurerm blob are an error naming both files and the field', () => {
    expect(problemsOf({ alpha: { backend: { ...ACCOUNT, key: 'shared.tfstate' } }, beta: { backend: { ...ACCOUNT, key: 'shared.tfstate' } } })).toEqual([
      `environments/beta.ts: backend.key: keeps its state in storage account contosotfstate, container tfstate, key "shared.tfstate", where environments/alpha.ts keeps its own (backend.key): ${SHARING}`,
    ]);
  });

  test("a key equal to another environment's default key is one blob too; another container or account is another blob", () => {
    expect(problemsOf({ alpha: { backend: ACCOUNT }, beta: { backend: { ...ACCOUNT, key: 'alpha.tfstate' } } })).toEqual([
      expect.stringMatching(/^environments\/beta\.ts: backend\.key: keeps its state in .* key "alpha\.tfstate", where environments\/alpha\.ts keeps its own \(backend\.key\)/),
    ]);
    expect(problemsOf({ alpha: { backend: { ...ACCOUNT, key: 'shared.tfstate' } }, beta: { backend: { ...ACCOUNT, containerName: 'other', key: 'shared.tfstate' } } })).toEqual([]);
    expect(problemsOf({ alpha: { backend: { ...ACCOUNT, key: 'shared.tfstate' } }, beta: { backend: { ...ACCOUNT, storageAccountName: 'fabrikamtf', key: 'shared.tfstate' } } })).toEqual([]);
  });

  test("a local path that is another environment's default path is one file, however it is spelt", () => {
    for (const path of ['terraform.alpha.tfstate', './Terraform.ALPHA.tfstate', 'state/../terraform.alpha.tfstate', 'state\\..\\terraform.alpha.tfstate']) {
      expect(problemsOf({ alpha: {}, beta: { backend: { type: 'local', path } } })).toEqual([
        `environments/beta.ts: backend.path: keeps its state in the file ${JSON.stringify(path)}, where environments/alpha.ts keeps its own (backend.path): ${SHARING}`,
      ]);
    }
    expect(problemsOf({ alpha: { backend: { type: 'local', path: 'state/a.tfstate' } }, beta: { backend: { type: 'local', path: 'state/b.tfstate' } } })).toEqual([]);
  });

  test('a local path through a link to a folder is the file the link leads to, as Terraform opens it', () => {
    expect(problemsOf({ alpha: {}, beta: { backend: { type: 'local', path: 'state/terraform.alpha.tfstate' } } }, { state: '.' })).toEqual([
      `environments/beta.ts: backend.path: keeps its state in the file "state/terraform.alpha.tfstate", where environments/alpha.ts keeps its own (backend.path): ${SHARING}`,
    ]);
    // "state/.." is the folder above where the link leads, not the project root its spelling suggests.
    expect(problemsOf({ alpha: {}, beta: { backend: { type: 'local', path: 'state/../terraform.alpha.tfstate' } } }, { state: tmpdir() })).toEqual([]);
  });

  test('one cloud workspace of one organization on one host, ignoring case, is one state', () => {
    const cloud = (overrides: Record<string, string>) => ({ backend: { type: 'cloud', organization: 'contoso', workspace: 'portal', ...overrides } });
    expect(problemsOf({ alpha: cloud({}), beta: cloud({ organization: 'Contoso', workspace: 'Portal', hostname: 'app.terraform.io' }) })).toEqual([
      `environments/beta.ts: backend.workspace: keeps its state in workspace "Portal" of organization "Contoso" on app.terraform.io, where environments/alpha.ts keeps its own (backend.workspace): ${SHARING}`,
    ]);
    expect(problemsOf({ alpha: cloud({}), beta: cloud({ hostname: 'tfe.contoso.com' }) })).toEqual([]);
    expect(problemsOf({ alpha: cloud({}), beta: cloud({ organization: 'fabrikam' }) })).toEqual([]);
  });

  test("the -tenant-<name> key, file and workspace of a customer tenant stack are its state's place too", () => {
    const contoso = { name: 'contoso', tenantId: 'c0c0c0c0-0000-4000-8000-000000000001' };
    expect(problemsOf({ alpha: { backend: ACCOUNT, customerTenants: [contoso] }, beta: { backend: { ...ACCOUNT, key: 'alpha-tenant-contoso.tfstate' } } })).toEqual([
      expect.stringMatching(/^environments\/beta\.ts: backend\.key: keeps its state in .* key "alpha-tenant-contoso\.tfstate", where environments\/alpha\.ts keeps that of its stack alpha-tenant-contoso \(customerTenants\[0\]\.name\)/),
    ]);
    expect(problemsOf({ alpha: { backend: { ...ACCOUNT, key: 'k-tenant-contoso.tfstate' } }, beta: { backend: { ...ACCOUNT, key: 'k.tfstate' }, customerTenants: [contoso] } })).toEqual([
      expect.stringMatching(/^environments\/beta\.ts: customerTenants\[0\]\.name: gives the stack beta-tenant-contoso of customer tenant "contoso" its state in .* key "k-tenant-contoso\.tfstate", where environments\/alpha\.ts keeps its own \(backend\.key\)/),
    ]);
    expect(problemsOf({ alpha: { backend: { type: 'local', path: 'terraform.beta-tenant-contoso.tfstate' } }, beta: { customerTenants: [contoso] } })).toEqual([
      expect.stringMatching(/^environments\/beta\.ts: customerTenants\[0\]\.name: gives the stack beta-tenant-contoso .* its state in the file "terraform\.beta-tenant-contoso\.tfstate", where environments\/alpha\.ts keeps its own \(backend\.path\)/),
    ]);
    const cloud = (workspace: string) => ({ type: 'cloud', organization: 'contoso', workspace });
    expect(problemsOf({ alpha: { backend: cloud('portal-tenant-contoso') }, beta: { backend: cloud('portal'), customerTenants: [contoso] } })).toEqual([
      expect.stringMatching(/^environments\/beta\.ts: customerTenants\[0\]\.name: gives the stack beta-tenant-contoso .* its state in workspace "portal-tenant-contoso"/),
    ]);
  });
});
