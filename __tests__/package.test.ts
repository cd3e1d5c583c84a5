import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { makeConsumerApp, packPackage, readmeMain, run, synthesize, typeCheck } from '../dev/consumer-app';
import { FIXTURES, REPO_ROOT } from './support/builders';

const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package/package.json'), 'utf8'));
const INSTALLED_CDKTF = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/cdktf/package.json'), 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * A consumer's app with the packed tarball installed by npm, offline, and the peers of this project
 * (cdktf 0.21, or cdktn 0.24 where `npm run test:cdktn` runs this) linked in, the tls provider left out:
 * the package README's main.ts, which nests two portals in wrappers, wires IDs from data sources, uses an
 * escape hatch and adds a customer consent. `npm run test:consumer` installs the peers from the lock too.
 */
describe(`the package, installed in a consumer app (${INSTALLED_CDKTF.name} ${INSTALLED_CDKTF.version})`, () => {
  const work = mkdtempSync(join(tmpdir(), 'restore-portal-package-'));
  const consumer = join(work, 'consumer');
  const installed = join(consumer, 'node_modules', PACKAGE.name);

  beforeAll(() => {
    const tarball = packPackage(REPO_ROOT, work, { typeCheck: false });
    makeConsumerApp({
      projectRoot: REPO_ROOT,
      dir: consumer,
      tarball,
      peers: 'linked',
      files: { 'main.ts': readmeMain(REPO_ROOT), 'certs/restore-portal.cer': readFileSync(join(FIXTURES, 'certs/valid.cer')) },
    });
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("synthesizes the README's main.ts without the tls provider: two nested portals, references wired through, a customer consent", () => {
    const stack = synthesize(REPO_ROOT, consumer)['restore-portal'];
    expect(Object.keys(stack.resource.azuread_application_registration)).toEqual(['eu_portal', 'us_portal']);
    expect(stack.resource.azuread_service_principal.eu_portal).toMatchObject({
      owners: ['${data.azuread_client_config.deployer.object_id}', '${data.azuread_user.backup-admin.object_id}'],
      notification_email_addresses: ['backup-admins@contoso.com'],
    });
    // The deployer, listed in owners too, owns what it creates: only the admin gets an owner resource.
    expect(Object.keys(stack.resource.azuread_application_owner)).toEqual(['eu_portal_owner_0', 'us_portal_owner_0']);
    expect(stack.resource.azuread_application_owner.eu_portal_owner_0.owner_object_id).toBe('${data.azuread_user.backup-admin.object_id}');
    expect(stack.resource.azuread_service_principal.fabrikam).toMatchObject({
      client_id: '${azuread_application_registration.eu_portal.client_id}',
      use_existing: true,
      provider: 'azuread.fabrikam',
    });
    expect(Object.keys(stack.resource.azuread_service_principal_delegated_permission_grant)).toEqual([
      'eu_portal_microsoft_graph',
      'eu_portal_self',
      'fabrikam_microsoft_graph',
      'fabrikam_self',
      'us_portal_microsoft_graph',
      'us_portal_self',
    ]);
    expect(stack.output.eu_application_id.value).toBe('${azuread_application_registration.eu_portal.client_id}');
    expect(stack.provider.tls).toBeUndefined();
    expect(() => run(process.execPath, ['-e', "require.resolve('@cdktf/provider-tls/package.json')"], { cwd: consumer })).toThrow();
  }, 60_000);

  // `npm run test:consumer` checks the package's declarations too (no skipLibCheck, no Node types).
  test("type-checks the README's main.ts strictly against the package's declarations, as cdktf's project template would", () => {
    expect(() => typeCheck(REPO_ROOT, consumer, { skipLibCheck: true })).not.toThrow();
  }, 180_000);

  test("a mistake's trace points into the package's TypeScript, through its source maps", () => {
    const script = `
      const { App, TerraformStack } = require('cdktf');
      const { RestorePortalApp } = require(${JSON.stringify(PACKAGE.name)});
      try { new RestorePortalApp(new TerraformStack(new App(), 's'), 'portal', { redirectUris: [], certificates: [] }); }
      catch (error) { console.log(error.stack); }`;
    const trace = run(process.execPath, ['--enable-source-maps', '-e', script], { cwd: consumer });
    expect(trace).toMatch(/^RestorePortalAppPropsError: RestorePortalApp s\/portal: redirectUris: must list at least one address/);
    expect(trace).toMatch(/node_modules\/vb365-restore-portal-entra\/lib\/construct\/restore-portal-app\.ts:\d+:\d+/);
  }, 60_000);

  test('holds its own short README, the compiled construct with declarations and source maps, and nothing of this repository', () => {
    const files = filesUnder(installed).map((f) => relative(installed, f));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/construct/index.js', 'dist/construct/index.d.ts', 'dist/construct/index.js.map']));
    expect(files.filter((f) => !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(f)).sort()).toEqual(['README.md', 'package.json']);
    expect(files.filter((f) => /pfx|doctor|review|synthesis|tenants|(^|\/)cli\/|bench|__tests__|environments?\//.test(f))).toEqual([]);
    expect(readFileSync(join(installed, 'README.md'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'package/README.md'), 'utf8'));
    expect(statSync(join(installed, 'README.md')).size).toBeLessThan(16 * 1024);
  });

  test("exports the construct's API alone: nothing of this repository's environment files", () => {
    const api = run(process.execPath, ['-e', `console.log(Object.keys(require(${JSON.stringify(PACKAGE.name)})).sort().join(' '))`], { cwd: consumer });
    expect(api.trim().split(' ')).toEqual(
      expect.arrayContaining(['AdminConsent', 'MICROSOFT_GRAPH_CLIENT_ID', 'RestorePortalApp', 'RestorePortalAppPropsError', 'RestorePortalCustomerConsent']),
    );
    expect(api).not.toMatch(/defineEnvironment|TlsSelfSignedCertificate/);
  }, 60_000);

  test('its warnings and messages speak to any app, not of this repository', () => {
    const code = filesUnder(join(installed, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(f, 'utf8').replace(/^\s*(\/\/|\/?\*).*$/gm, ''))
      .join('\n');
    expect(code).not.toMatch(/pull request's plan job|npm run |defineEnvironment/);
  });

  test('asks for peers in ranges, from cdktf 0.21 to CDK Terrain 0.24, the tls provider optional, and forces nothing else on consumers', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toEqual({
      cdktf: '>=0.21.0 <0.25.0',
      constructs: '^10.4.2',
      '@cdktf/provider-azuread': '^14.0.0',
      '@cdktf/provider-tls': '^11.0.0',
    });
    expect(manifest.peerDependenciesMeta).toEqual({ '@cdktf/provider-tls': { optional: true } });
    // The installed cdktf (0.21.0, or cdktn 0.24.0 under its name) is inside the range.
    expect(INSTALLED_CDKTF.version).toMatch(/^0\.(21|22|23|24)\.\d+$/);
  });
});
