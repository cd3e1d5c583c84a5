// npm run manifest -- <env>: the registration an environment describes, as a manifest an Entra admin applies by hand.
import { resolve } from 'node:path';
import { parseCommandLine, runCommand, UserError } from '../lib/process/command-line';
import { loadEnvironment } from '../lib/environment/environment-files';
import { manifestIdentity, manifestOf, writeManifestFile } from '../lib/doctor/manifest';

const USAGE = 'npm run manifest -- <env> [--client-id <application id>] [--out <file>]';

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { 'client-id': { type: 'string' }, out: { type: 'string' } }, allowPositionals: true },
    USAGE,
  );
  if (positionals.length !== 1) throw new UserError(`give exactly one environment name\nusage: ${USAGE}`);
  const { environment } = loadEnvironment({ projectRoot: resolve(__dirname, '..') }, positionals[0]);
  const identity = manifestIdentity(environment, values['client-id']);
  const out = values.out ?? `${environment.name}.manifest.json`;
  writeManifestFile(out, manifestOf(environment, identity));
  process.stdout.write(
    `wrote ${out}: the registration of ${environment.file} (application ID ${identity.clientId}) in Microsoft Graph format.\n` +
      'Apply it in the Entra admin center: App registrations > the registration > Manifest > Microsoft Graph App Manifest, paste it and Save.\n',
  );
  if (!environment.adoption) {
    process.stdout.write(
      'Entra refuses to pre-authorize a scope in the save that creates it: save once with api.preAuthorizedApplications set to [], then paste the whole file again and save.\n',
    );
  }
  return 0;
});
