// npm run doctor -- <manifest.json> [--env <name>]: what a Restore Portal registration lacks or has wrong.
import { resolve } from 'node:path';
import { colorsFor, parseCommandLine, readFormat, runCommand, UserError, userPath } from '../lib/process/command-line';
import { diagnose, doctorExitCode } from '../lib/doctor/doctor';
import { formatDoctorReport } from '../lib/doctor/doctor-report';
import { loadEnvironment } from '../lib/environment/environment-files';
import { readManifestFile } from '../lib/doctor/manifest';

const USAGE = 'npm run doctor -- <manifest.json> [--env <name>] [--warning-days <days>] [--format text|markdown|json]';
const DESCRIPTION = `Checks an application manifest (Entra admin center > App registrations > Manifest > Download)
against what the Restore Portal needs, and with --env against what that environment file describes.
Exit code: 0 nothing wrong, 2 problems found, 1 an error.`;
const PROJECT_ROOT = resolve(__dirname, '..');

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: { env: { type: 'string' }, 'warning-days': { type: 'string' }, format: { type: 'string' } },
      allowPositionals: true,
    },
    USAGE,
    DESCRIPTION,
  );
  if (positionals.length !== 1) throw new UserError(`give exactly one manifest file`, USAGE);
  const format = readFormat(values.format);
  const warningDays = readWarningDays(values['warning-days']);
  const file = userPath(PROJECT_ROOT, positionals[0]);
  const manifest = readManifestFile(file, PROJECT_ROOT);
  const now = new Date();
  const environment = values.env === undefined ? undefined : loadEnvironment({ projectRoot: PROJECT_ROOT, now }, values.env).environment;
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
