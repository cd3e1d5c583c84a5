// npm run export-pfx: the password-protected PFX VB365 loads, from a self-signed certificate's
// Terraform outputs. Imports only what it needs, so it does not load cdktf.
import { resolve } from 'node:path';
import { loadEnvironment } from '../lib/environment/environment-files';
import { parseCommandLine, readOutputsOption, runCommand, UserError, userPath } from '../lib/process/command-line';
import { checkPfxDestination, readSelfSignedKeyPair, writePfx } from '../lib/certificates/pfx-export';
import { PFX_PASSWORD_VARIABLE, readPfxPassword } from '../lib/certificates/pfx-password';
import { escapeControlCharacters } from '../lib/process/problem';

const PROJECT_ROOT = resolve(__dirname, '..');
const USAGE = 'npm run export-pfx -- <env> --out <file.pfx> [--certificate <name>] [--outputs [<env>=]<terraform output -json file>] [--force] [--allow-expired]';
const DESCRIPTION = `Writes the password-protected PFX that VB365 loads, from a self-signed certificate's Terraform
outputs (\`terraform output -json\` of the environment's stack, or a saved copy given with --outputs).
The password comes from a prompt (asked twice, not shown) or $${PFX_PASSWORD_VARIABLE}, never from the
command line. --force overwrites an existing file; --allow-expired exports a certificate that has expired.`;

void runCommand(async (argv) => {
  if (argv.some((a) => /^--?pass(word)?\b/i.test(a))) {
    throw new UserError(
      `a password is never taken from the command line (shell history and process lists keep it); set ${PFX_PASSWORD_VARIABLE} or answer the prompt`,
    );
  }
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: {
        out: { type: 'string' },
        certificate: { type: 'string' },
        outputs: { type: 'string' },
        force: { type: 'boolean' },
        'allow-expired': { type: 'boolean' },
      },
      allowPositionals: true,
    },
    USAGE,
    DESCRIPTION,
  );
  if (positionals.length !== 1) throw new UserError(`give exactly one environment`, USAGE);
  if (!values.out) throw new UserError(`--out <file.pfx> is required`, USAGE);
  const out = userPath(PROJECT_ROOT, values.out);
  const force = values.force ?? false;
  checkPfxDestination(out, force, PROJECT_ROOT);
  // The environment must exist, and saved outputs must be its own; its certificate files may have expired.
  const { environment } = loadEnvironment({ projectRoot: PROJECT_ROOT, allowExpired: true }, positionals[0]);
  const source = {
    projectRoot: PROJECT_ROOT,
    environment: positionals[0],
    environmentFile: environment,
    certificate: values.certificate,
    allowExpired: values['allow-expired'] ?? false,
    outputsFile: values.outputs === undefined ? undefined : outputsFile(values.outputs, positionals[0]),
  };
  // Everything that can be wrong is found before anyone types a password.
  const pair = await readSelfSignedKeyPair(source);
  const password = await readPfxPassword({ env: process.env, input: process.stdin, output: process.stderr });
  const result = writePfx(pair, { ...source, out, force, password });
  process.stdout.write(
    [
      `wrote ${escapeControlCharacters(out)} (mode 0600): self-signed certificate "${escapeControlCharacters(result.certificate)}", thumbprint ${result.thumbprint}, valid until ${result.notAfter}`,
      'Copy it to the VB365 server, load it with Set-VBORestorePortalSettings -CertificateFilePath <file> (Terraform output',
      'vb365_restore_portal_command has the whole line), then delete every copy: it holds the private key.',
    ].join('\n') + '\n',
  );
  return 0;
});

/** `--outputs <file>` or `--outputs <env>=<file>`, as in every command; the environment must be the one exported. */
function outputsFile(value: string, environment: string): string {
  const given = readOutputsOption(value);
  if (given.environment !== undefined && given.environment !== environment) {
    throw new UserError(`--outputs ${value}: names ${given.environment}, but the certificate is exported from ${environment}`);
  }
  return userPath(PROJECT_ROOT, given.file);
}
