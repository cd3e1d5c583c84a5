// npm run certs: every environment's certificates and their expiry. Exit 0 all valid beyond the
// warning window, 2 any expiring or expired, 1 on error or when a certificate could not be read.
// Meant for a scheduled CI job (.github/workflows/certs.yml).
import { resolve } from 'node:path';
import { certificateReport, certificateReportExitCode, formatCertificateReport } from '../lib/certificates/certificate-report';
import { exampleNote } from '../lib/environment/example-environment';
import { colorsFor, parseCommandLine, readFormat, readOutputsFiles, runCommand, userPath } from '../lib/process/command-line';

const USAGE = 'npm run certs -- [<env>...] [--outputs [<env>=]<terraform output -json file>]... [--format text|markdown|json]';
const DESCRIPTION = `Lists every certificate of the environments (or of those named) with its expiry. Self-signed
certificates are read from their stack's \`terraform output -json\` (the stack folder initialized by a plan
or deploy), or from a saved copy given with --outputs (<env>= may be left out when one environment is named).
Examples (tenantId all zeros) are left out unless named.
Exit code: 0 all valid beyond their warning window, 2 any expiring or expired, 1 an error or a
certificate that could not be read.`;

const PROJECT_ROOT = resolve(__dirname, '..');

void runCommand(async (argv) => {
  const { values, positionals } = parseCommandLine(
    argv,
    { options: { outputs: { type: 'string', multiple: true }, format: { type: 'string' } }, allowPositionals: true },
    USAGE,
    DESCRIPTION,
  );
  const format = readFormat(values.format);
  const report = await certificateReport({
    projectRoot: PROJECT_ROOT,
    only: positionals.length > 0 ? positionals : undefined,
    outputsFiles: readOutputsFiles(values.outputs ?? [], positionals, (file) => userPath(PROJECT_ROOT, file), USAGE),
  });
  for (const example of report.examples) process.stderr.write(`note: ${exampleNote(example)}\n`);
  process.stdout.write(`${formatCertificateReport(report, format, colorsFor(process.stdout))}\n`);
  return certificateReportExitCode(report);
});
