// npm run doctor -- <manifest.json> [--env <name>]: what a Restore Portal registration lacks or has wrong.
import { resolve } from 'node:path';
import { colorsFor, parseCommandLine, readFormat, runCommand, UserError } from '../lib/process/command-line';
import { diagnose, doctorExitCode } from '../lib/doctor/doctor';
import { formatDoctorReport } from '../lib/doctor/doctor-report';
import { loadEnvironment } from '../lib/environment/environment-files';
import { readManifestFile } from '../lib/doctor/manifest';

const USAGE = 'npm run doctor -- <manifest.json> [--env <name>] [--warning-days <days>] [--format text|markdown|json]';

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: { env: { type: 'string' }, 'warning-days': { type: 'string' }, format: { type: 'string' } },
      allowPositionals: true,
    },
    USAGE,
  );
  if (positionals.length !== 1) throw new UserError(`give exactly one manifest file\nusage: ${USAGE}`);
  const format = readFormat(values.format);
  const warningDays = readWarningDays(values['warning-days']);
  const manifest = readManifestFile(positionals[0]);
  const now = new Date();
  const environment =
    values.env === undefined ? undefined : loadEnvironment({ projectRoot: resolve(__dirname, '..'), now }, values.env).environment;
  const report = diagnose(manifest, positionals[0], { now, warningDays, environment });
  process.stdout.write(formatDoctorReport(report, format, colorsFor(process.stdout)));
  return doctorExitCode(report);
});

/** Undefined when not given: then the environment's expiryWarningDays, or the default window, applies. */
function readWarningDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UserError(`--warning-days must be a whole number of days; got "${value}"`);
  return Number(value);
}
