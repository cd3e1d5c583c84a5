// npm run doctor -- --manifest <manifest.json> [<environment>]: what a Restore Portal registration lacks or has wrong.
import { resolve } from 'node:path';
import { colorsFor, commandGrammar, ENVIRONMENT_NAME, FORMAT_OPTION, parseCommandLine, readFormat, runCommand, UserError, userPath } from '../lib/process/command-line';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../lib/certificates/certificate-expiry';
import { diagnose, doctorExitCode } from '../lib/doctor/doctor';
import { formatDoctorReport } from '../lib/doctor/doctor-report';
import { loadEnvironment } from '../lib/environment/environment-files';
import { readManifestFile } from '../lib/doctor/manifest';

const PROJECT_ROOT = resolve(__dirname, '..');

export const grammar = commandGrammar({
  name: 'doctor',
  description: `Checks an application manifest (Entra admin center > App registrations > Manifest > Download)
against what the Restore Portal needs, and, when an environment is named, against what its file describes.
Exit code: 0 nothing wrong, 2 problems found, 1 an error.`,
  environments: 'at most one',
  options: {
    manifest: { type: 'string', value: '<manifest.json>', required: true, help: 'the application manifest downloaded from Entra' },
    'warning-days': { type: 'string', value: '<days>', help: `how soon before expiry a certificate is reported (default the environment's expiryWarningDays, or ${DEFAULT_EXPIRY_WARNING_DAYS})` },
    format: FORMAT_OPTION,
  },
  deprecated: { env: ENVIRONMENT_NAME },
  formerlyPositional: 'manifest',
  examples: [
    ['--manifest downloaded.json', 'checks a registration against what the Restore Portal needs'],
    ['--manifest downloaded.json prod', 'also against what environments/prod.ts describes'],
    ['--manifest downloaded.json prod --format markdown', 'the same, as markdown for a ticket or pull request'],
  ],
});

void runCommand(module, (argv) => {
  const { values, environments } = parseCommandLine(argv, grammar);
  const format = readFormat(values.format);
  const warningDays = readWarningDays(values['warning-days']);
  const file = userPath(PROJECT_ROOT, values.manifest);
  const manifest = readManifestFile(file, PROJECT_ROOT);
  const now = new Date();
  const environment = environments.length === 0 ? undefined : loadEnvironment({ projectRoot: PROJECT_ROOT, now }, environments[0]).environment;
  const report = diagnose(manifest, file, { now, warningDays, environment });
  process.stdout.write(formatDoctorReport(report, format, colorsFor(process.stdout)));
  return doctorExitCode(report);
});

/** Undefined when not given: then the environment's expiryWarningDays, or the default window, applies. */
function readWarningDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UserError(`--warning-days must be a whole number of days; got "${value}"`);
  return Number(value);
}
