// `npm run test:consumer`: packs the package, installs it into a fresh consumer app with the peers the
// project locks (offline, from the npm cache), type-checks the package README's main.ts strictly and
// synthesizes it. Exit code 0 when the app works, 1 with what failed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeConsumerApp, packPackage, readmeMain, synthesize, typeCheck } from './consumer-app';

const PROJECT = resolve(__dirname, '..');

function main(): void {
  const cdktf = JSON.parse(readFileSync(join(PROJECT, 'node_modules/cdktf/package.json'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'restore-portal-consumer-'));
  try {
    const step = (what: string) => process.stdout.write(`${what}\n`);
    step(`packing the package (peers of this project: ${cdktf.name} ${cdktf.version})`);
    const tarball = packPackage(PROJECT, work);
    const dir = join(work, 'consumer');
    step('installing it into a fresh consumer app, offline from the npm cache');
    makeConsumerApp({
      projectRoot: PROJECT,
      dir,
      tarball,
      peers: 'installed',
      files: { 'main.ts': readmeMain(PROJECT), 'certs/restore-portal.cer': readFileSync(join(PROJECT, '__tests__/fixtures/certs/valid.cer')) },
    });
    const installed = (name: string) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'));
    assert.equal(installed('cdktf').name, cdktf.name, 'the consumer has the project cdktf');
    assert.throws(() => installed('@cdktf/provider-tls'), 'the consumer has no tls provider');
    step(`  cdktf: ${installed('cdktf').name} ${installed('cdktf').version}, constructs ${installed('constructs').version}, @cdktf/provider-azuread ${installed('@cdktf/provider-azuread').version}, no @cdktf/provider-tls`);
    step('type-checking main.ts strictly');
    typeCheck(PROJECT, dir);
    step('synthesizing main.ts');
    const stack = synthesize(PROJECT, dir)['restore-portal'];
    assert.deepEqual(Object.keys(stack.resource.azuread_application_registration), ['eu_portal', 'us_portal']);
    assert.deepEqual(stack.resource.azuread_service_principal.eu_portal.owners, [
      '${data.azuread_client_config.deployer.object_id}',
      '${data.azuread_user.backup-admin.object_id}',
    ]);
    assert.deepEqual(stack.resource.azuread_service_principal.eu_portal.notification_email_addresses, ['backup-admins@contoso.com']);
    assert.equal(stack.resource.azuread_service_principal.fabrikam.client_id, '${azuread_application_registration.eu_portal.client_id}');
    assert.equal(stack.resource.azuread_service_principal.fabrikam.provider, 'azuread.fabrikam');
    assert.equal(stack.resource.azuread_service_principal_delegated_permission_grant.fabrikam_self.provider, 'azuread.fabrikam');
    assert.equal(stack.provider.tls, undefined);
    step(`ok: ${Object.values(stack.resource as Record<string, object>).reduce((n, named) => n + Object.keys(named).length, 0)} resources synthesized`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`error: the consumer app failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
