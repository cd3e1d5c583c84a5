// npm run certs: every environment's certificates and their expiry. Exit 0 all valid beyond the
// warning window, 2 any expiring or expired, 1 on error. Meant for a scheduled CI job.
import { resolve } from 'node:path';
import { certificateReport, certificateReportExitCode, formatCertificateReport } from '../lib/certificates/certificate-report';
import { colorsFor, parseCommandLine, readFormat, runCommand, UserError, userPath } from '../lib/process/command-line';

const USAGE = 'npm run certs -- [<env>...] [--outputs <env>=<terraform output -json file>]... [--format text|markdown|json]';

const PROJECT_ROOT = resolve(__dirname, '..');

void runCommand((argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { outputs: { type: 'string', multiple: true }, format: { type: 'string' } }, allowPositionals: true },
    USAGE,
  );
  const format = readFormat(values.format);
  const report = certificateReport({
    projectRoot: PROJECT_ROOT,
    only: positionals.length > 0 ? positionals : undefined,
    outputsFiles: outputsOption(values.outputs ?? []),
  });
  process.stdout.write(`${formatCertificateReport(report, format, colorsFor(process.stdout))}\n`);
  return certificateReportExitCode(report);
});

/** `--outputs prod=prod-outputs.json`, repeated for each environment. */
function outputsOption(values: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const value of values) {
    const match = /^([^=]+)=(.+)$/.exec(value);
    if (!match) throw new UserError(`--outputs takes <env>=<file>; got "${value}"\nusage: ${USAGE}`);
    files.set(match[1], userPath(PROJECT_ROOT, match[2]));
  }
  return files;
}
