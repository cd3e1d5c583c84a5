// npm run manifest -- <env>: the registration an environment describes, as a manifest an Entra admin applies by hand.
import { resolve } from 'node:path';
import { colorsFor, parseCommandLine, runCommand, UserError, userPath } from '../lib/process/command-line';
import { loadEnvironment } from '../lib/environment/environment-files';
import { manifestIdentity, manifestOf, manifestWarnings, writeManifestFile } from '../lib/doctor/manifest';
import { escapeControlCharacters, formatProblem } from '../lib/process/problem';

const USAGE = 'npm run manifest -- <env> [--client-id <application id>] [--out <file>] [--force]';
const DESCRIPTION = `Writes the registration an environment describes as an application manifest (Microsoft Graph
format), for an Entra admin who applies it by hand. --client-id names a registration created by hand
when the environment does not adopt one; --out defaults to <env>.manifest.json in the current folder.
It replaces only a manifest it wrote itself, never one downloaded from Entra or any other file, unless
--force is given.`;
const PROJECT_ROOT = resolve(__dirname, '..');

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { 'client-id': { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } }, allowPositionals: true },
    USAGE,
    DESCRIPTION,
  );
  if (positionals.length !== 1) throw new UserError(`give exactly one environment name`, USAGE);
  const { environment } = loadEnvironment({ projectRoot: PROJECT_ROOT }, positionals[0]);
  const identity = manifestIdentity(environment, values['client-id']);
  const out = userPath(PROJECT_ROOT, values.out ?? `${environment.name}.manifest.json`);
  writeManifestFile(resolve(PROJECT_ROOT, out), manifestOf(environment, identity), out, { force: values.force });
  const { yellow } = colorsFor(process.stderr);
  for (const warning of manifestWarnings(environment)) process.stderr.write(`${yellow('warning')}: ${formatProblem(warning)}\n`);
  process.stdout.write(
    `wrote ${escapeControlCharacters(out)}: the registration of ${environment.file} (application ID ${identity.clientId}) in Microsoft Graph format.\n` +
      'Apply it in the Entra admin center: App registrations > the registration > Manifest > Microsoft Graph App Manifest, paste it and Save.\n',
  );
  if (!environment.adoption) {
    process.stdout.write(
      'Entra refuses to pre-authorize a scope in the save that creates it: save once with api.preAuthorizedApplications set to [], then paste the whole file again and save.\n',
    );
  }
  return 0;
});
