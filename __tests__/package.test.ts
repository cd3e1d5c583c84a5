import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FIXTURES, REPO_ROOT } from './support/builders';
import { temporaryFolder } from './support/clean-up';
import { PROCESS_TIMEOUT, TOOLCHAIN_TIMEOUT } from './support/timeouts';

const REPO_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-azuread', '@cdktf/provider-tls'];
const LIBRARY_PAGE = 'docs/library.md';

/** The first ```ts block of the page for consumers ("Use the construct in your own CDK for Terraform app"), exactly as written there. */
function documentedConsumerMain(): string {
  const page = readFileSync(join(REPO_ROOT, LIBRARY_PAGE), 'utf8');
  const block = /```ts\n([\s\S]*?)\n```/.exec(page);
  if (!block) throw new Error(`${LIBRARY_PAGE} has no ts block`);
  return `${block[1]}\n`;
}

function run(command: string, args: readonly string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return String(result.stdout);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * A consumer's project with the packed tarball installed by npm, offline. The peers are linked from
 * this repository's node_modules (what `npm ci` installed), as the registry cannot be reached.
 */
describe('the package, installed in a consumer app', () => {
  const work = temporaryFolder('restore-portal-package-');
  const consumer = join(work, 'consumer');
  const installed = join(consumer, 'node_modules', REPO_PACKAGE.name);
  // Without the variables cdktf's CLI sets, App() writes to ./cdktf.out as it does for a consumer.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CDKTF_')));

  beforeAll(() => {
    run('npm', ['pack', '--pack-destination', work], { cwd: REPO_ROOT, env });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    mkdirSync(join(consumer, 'certs'), { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run('npm', ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', join(work, tarball)], {
      cwd: consumer,
      env,
    });
    for (const peer of [...PEERS, '@types/node']) {
      mkdirSync(join(consumer, 'node_modules', peer, '..'), { recursive: true });
      symlinkSync(join(REPO_ROOT, 'node_modules', peer), join(consumer, 'node_modules', peer));
    }
    copyFileSync(join(FIXTURES, 'certs/valid.cer'), join(consumer, 'certs/restore-portal.cer'));
    writeFileSync(join(consumer, 'main.ts'), documentedConsumerMain());
  }, TOOLCHAIN_TIMEOUT);

  test("synthesizes the main.ts of docs/library.md: the registration, its redirect URIs and key credential, in the consumer's stack", () => {
    run(process.execPath, ['--require', join(REPO_ROOT, 'bin/register-ts.js'), 'main.ts'], { cwd: consumer, env });
    const stack = JSON.parse(readFileSync(join(consumer, 'cdktf.out/stacks/restore-portal/cdk.tf.json'), 'utf8'));
    expect(stack.provider.azuread).toEqual([expect.objectContaining({ tenant_id: '72f988bf-0000-0000-0000-000000000000' })]);
    expect(stack.resource.azuread_application_registration.portal).toMatchObject({
      display_name: 'VB365 Restore Portal',
      sign_in_audience: 'AzureADMultipleOrgs',
    });
    expect(stack.resource.azuread_application_redirect_uris.portal_spa.redirect_uris).toEqual(['https://restore.contoso.com:4443']);
    expect(Object.keys(stack.resource.azuread_application_certificate)).toEqual(['portal_8081ce44adf557be7f269132ed4d6f8139cff2fa']);
    expect(stack.output.application_id.value).toBe('${azuread_application_registration.portal.client_id}');
  }, TOOLCHAIN_TIMEOUT);

  test("type-checks the main.ts of docs/library.md against the package's declarations, as cdktf's ts-node template would", () => {
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const options = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022'];
    expect(() => run(process.execPath, [tsc, ...options, 'main.ts'], { cwd: consumer, env })).not.toThrow();
  }, TOOLCHAIN_TIMEOUT);

  test('holds the compiled construct with its declarations, and nothing of tests, environment files, commands or bench', () => {
    const files = filesUnder(installed).map((f) => relative(installed, f));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/construct/index.js', 'dist/construct/index.d.ts', 'dist/construct/restore-portal-app.d.ts']));
    expect(files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f))).toEqual(expect.arrayContaining(['package.json', 'README.md']));
    expect(files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f))).toHaveLength(2);
    expect(files.filter((f) => /pfx|doctor|review|synthesis|tenants|(^|\/)cli\/|bench|__tests__|environments?\//.test(f))).toEqual([]);
  });

  test("exports the construct's API alone: nothing of this repository's environment files", () => {
    const api = run(process.execPath, ['-e', `console.log(Object.keys(require(${JSON.stringify(REPO_PACKAGE.name)})).sort().join(' '))`], { cwd: consumer, env });
    expect(api.trim().split(' ')).toEqual(expect.arrayContaining(['AdminConsent', 'MICROSOFT_GRAPH_CLIENT_ID', 'RestorePortalApp', 'RestorePortalAppPropsError']));
    expect(api).not.toMatch(/defineEnvironment|TlsSelfSignedCertificate/);
  }, PROCESS_TIMEOUT);

  test('asks for cdktf and the providers as peers at the pinned versions, constructs as cdktf does, and forces nothing else on consumers', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    // An app made today has a newer constructs 10 than the one pinned here; cdktf and the providers accept any.
    const cdktfAsks = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/cdktf/package.json'), 'utf8')).peerDependencies.constructs;
    expect(manifest.peerDependencies).toEqual({
      ...Object.fromEntries(PEERS.map((peer) => [peer, REPO_PACKAGE.devDependencies[peer]])),
      constructs: cdktfAsks,
    });
  });
});
