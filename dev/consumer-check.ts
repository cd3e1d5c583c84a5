// `npm run test:consumer`: the package in a fresh consumer app, as another team installs it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandGrammar, parseCommandLine, runCommand, UserError } from '../lib/process/command-line';
import { makeConsumerApp, packPackage, readmeMain, synthesize, typeCheck } from './consumer-app';

const PROJECT = resolve(__dirname, '..');
export const grammar = commandGrammar({
  name: 'test:consumer',
  description: `Packs the construct package (package/), installs the tarball into a fresh consumer app with the peers this
project locks (cdktf 0.21.0 here, cdktn 0.24.0 under npm run test:cdktn) but no @cdktf/provider-tls, offline from
the npm cache, type-checks the package README's main.ts strictly (declarations included, no Node types) and
synthesizes it: two portals nested in wrappers, the deploying identity and an owner wired from DataAzureadClientConfig,
an escape hatch, a customer consent.
Exit code: 0 when the app works, 1 with what failed.`,
  environments: 'none',
  options: {},
  examples: [['', 'the package in a consumer app on the cdktf this project locks']],
});

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
    assert.deepEqual(
      Object.values(stack.resource.azuread_application_owner as Record<string, { owner_object_id: string }>).map((owner) => owner.owner_object_id),
      ['${data.azuread_user.backup-admin.object_id}', '${data.azuread_user.backup-admin.object_id}'],
      'the deploying identity, listed in owners too, gets no owner resource: it owns what it creates',
    );
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

void runCommand(module, (argv) => {
  parseCommandLine(argv, grammar);
  try {
    main();
  } catch (error) {
    // What npm, tsc or the app printed, as they printed it.
    process.stdout.write(`${(error as Error).message}\n`);
    throw new UserError('the consumer app failed: see above');
  }
  return 0;
});
