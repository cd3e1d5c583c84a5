// `npm run test:consumer`: the package in a fresh consumer app, as another team installs it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommandLine, runCommand, UserError } from '../lib/process/command-line';
import { makeConsumerApp, packPackage, readmeMain, synthesize, typeCheck } from './consumer-app';

const PROJECT = resolve(__dirname, '..');
const USAGE = 'npm run test:consumer';
const DESCRIPTION = `Packs the construct package (package/), installs the tarball into a fresh consumer app with the peers this
project locks (cdktf 0.21.0 here, cdktn 0.24.0 under npm run test:cdktn) but no @cdktf/provider-tls, offline from
the npm cache, type-checks the package README's main.ts strictly (declarations included, no Node types) and
synthesizes it: two portals nested in wrappers, IDs wired from data sources, an escape hatch, a customer consent.
Exit code: 0 when the app works, 1 with what failed.`;

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

void runCommand((argv) => {
  parseCommandLine(argv, { options: {} }, USAGE, DESCRIPTION);
  try {
    main();
  } catch (error) {
    // What npm, tsc or the app printed, as they printed it.
    process.stdout.write(`${(error as Error).message}\n`);
    throw new UserError('the consumer app failed: see above');
  }
  return 0;
});
