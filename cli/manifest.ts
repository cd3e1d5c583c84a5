// npm run manifest -- <environment>: the registration an environment describes, as a manifest an Entra admin applies by hand.
import { resolve } from 'node:path';
import { colorsFor, commandGrammar, parseCommandLine, runCommand, userPath } from '../lib/process/command-line';
import { loadEnvironment } from '../lib/environment/environment-files';
import { manifestIdentity, manifestOf, manifestWarnings, writeManifestFile } from '../lib/doctor/manifest';
import { escapeControlCharacters, formatProblem } from '../lib/process/problem';

const PROJECT_ROOT = resolve(__dirname, '..');

export const grammar = commandGrammar({
  name: 'manifest',
  description: `Writes the registration an environment describes as an application manifest (Microsoft Graph
format), for an Entra admin who applies it by hand. It replaces only a manifest it wrote itself, never one
downloaded from Entra or any other file, unless --force is given. Exit code: 0 written, 1 an error.`,
  environments: 'one',
  options: {
    'client-id': { type: 'string', value: '<application id>', help: 'the registration created by hand, when the environment does not adopt one' },
    out: { type: 'string', value: '<file>', help: 'where the manifest is written (default <environment>.manifest.json in the current folder)' },
    force: { type: 'boolean', help: 'replaces a file at --out that this command did not write' },
  },
  examples: [
    ['prod --client-id 11111111-2222-4333-8444-555555555555', "prod's registration as a manifest, for the registration with that application ID"],
    ['prod --out prod-registration.json', 'the same for a registration prod adopts, written to prod-registration.json'],
  ],
});

void runCommand(module, (argv) => {
  const { values, environments } = parseCommandLine(argv, grammar);
  const { environment } = loadEnvironment({ projectRoot: PROJECT_ROOT }, environments[0]);
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
