// npm run certs: every environment's certificates and their expiry. Exit 0 all valid beyond the
// warning window, 2 any expiring or expired, 1 on error or when a certificate could not be read.
// Meant for a scheduled CI job (.github/workflows/certs.yml).
import { resolve } from 'node:path';
import { certificateReport, certificateReportExitCode, formatCertificateReport } from '../lib/certificates/certificate-report';
import { exampleNote } from '../lib/environment/example-environment';
import { colorsFor, commandGrammar, FORMAT_OPTION, parseCommandLine, readFormat, readOutputsFiles, runCommand, usageOf, userPath } from '../lib/process/command-line';

const PROJECT_ROOT = resolve(__dirname, '..');

export const grammar = commandGrammar({
  name: 'certs',
  description: `Lists every certificate of the environments (or of those named) with its expiry. Self-signed
certificates are read from their stack's \`terraform output -json\` (the stack folder initialized by a plan
or deploy), or from a saved copy given with --outputs. Examples (tenantId all zeros) are left out unless named.
Exit code: 0 all valid beyond their warning window, 2 any expiring or expired, 1 an error or a
certificate that could not be read.`,
  environments: 'any',
  options: {
    outputs: {
      type: 'string',
      value: '[<environment>=]<file>',
      multiple: true,
      help: 'a saved `terraform output -json` of an environment, once per environment (<environment>= may go when one is named)',
    },
    format: FORMAT_OPTION,
  },
  examples: [
    ['', 'every environment but the examples'],
    ['prod --format markdown', "prod's certificates as a markdown table, as certs.yml writes the job summary"],
    ['prod --outputs prod-outputs.json', 'prod, its self-signed certificates read from a saved terraform output -json'],
  ],
});

void runCommand(module, async (argv) => {
  const { values, environments } = parseCommandLine(argv, grammar);
  const format = readFormat(values.format);
  const report = await certificateReport({
    projectRoot: PROJECT_ROOT,
    only: environments.length > 0 ? environments : undefined,
    outputsFiles: readOutputsFiles(values.outputs ?? [], environments, (file) => userPath(PROJECT_ROOT, file), usageOf(grammar)),
  });
  for (const example of report.examples) process.stderr.write(`note: ${exampleNote(example)}\n`);
  process.stdout.write(`${formatCertificateReport(report, format, colorsFor(process.stdout))}\n`);
  return certificateReportExitCode(report);
});
