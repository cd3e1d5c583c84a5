import { colorsFor, commandGrammar, FORMAT_OPTION, parseCommandLine, readFormat, readOutputsFiles, usageOf, userPath } from '../process/command-line';
import { escapeControlCharacters } from '../process/problem';
import { DEFAULT_PARALLEL } from '../process/slots';
import { readParallel } from '../review/plan-review';
import { readShard } from '../review/plan-shards';
import { auditEnvironments, auditExitCode, type GraphSettings } from './audit';
import { formatAuditReport } from './audit-report';
import { graphIdentityFromEnvironment, type GraphIdentityOptions } from './graph-credentials';

export const AUDIT_GRAMMAR = commandGrammar({
  name: 'audit',
  description: `Reads each environment's registration live from Microsoft Graph (read-only) and compares it with the
code: the application and its service principal in the environment's tenant, the service principal and
admin consent in each customer tenant. Lists what the code did not put there (client secrets, certificates,
federated credentials, owners, redirect URIs, scopes, app roles, permissions), which Terraform cannot see,
and what the Restore Portal needs that is missing or off, each with what to do.
Signs in as the azuread provider does: ARM_CLIENT_ID with ARM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_SECRET,
ARM_USE_OIDC (GitHub Actions' token, ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH), else the Azure CLI; a token
per tenant. Needs the Graph application permissions Application.Read.All and Directory.Read.All (the consent grants).
The client ID comes from the environment's \`terraform output -json\` (its stack initialized by a plan), or a
saved copy given with --outputs; adopted environments name it themselves. Examples are left out.
GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST override where it reads and signs in.
Exit code: 0 nothing found, 2 findings, 1 something could not be audited.`,
  environments: 'any',
  options: {
    format: FORMAT_OPTION,
    outputs: {
      type: 'string',
      value: '[<environment>=]<file>',
      multiple: true,
      help: 'a saved `terraform output -json` of an environment, once per environment (<environment>= may go when one is named)',
    },
    shard: { type: 'string', value: '<K/N>', help: 'audits the tenants of part K of N of the stacks, as drift plans them' },
    parallel: { type: 'string', value: '<n>', help: `how many tenants are read at once (default ${DEFAULT_PARALLEL})` },
  },
  examples: [
    ['', 'every environment but the examples'],
    ['prod --format markdown', "prod's findings as markdown, as the drift workflow's summary shows them"],
    ['prod --outputs prod=prod-outputs.json', "prod, its client ID from a saved terraform output -json"],
  ],
});

export interface AuditCommandIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly projectRoot: string;
  /** Where relative paths (--outputs, files the variables name) start. @default the current folder */
  readonly cwd?: string;
  /** The variables credentials, endpoints and terraform are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: Graph's request settings, and what every credential is given. */
  readonly graph?: GraphSettings;
  readonly credentialOptions?: GraphIdentityOptions['credentialOptions'];
}

/** The whole of `npm run audit`: the report to stdout, progress to stderr. Returns the exit code. */
export async function auditCommand(argv: readonly string[], io: AuditCommandIo): Promise<number> {
  const { values, environments } = parseCommandLine(argv, AUDIT_GRAMMAR, io.stderr);
  const format = readFormat(values.format);
  const shard = values.shard === undefined ? undefined : readShard(values.shard);
  const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : readParallel(values.parallel);
  const outputsFiles = readOutputsFiles(values.outputs ?? [], environments, (file) => userPath(io.projectRoot, file, io.cwd ?? process.cwd()), usageOf(AUDIT_GRAMMAR));
  const env = io.env ?? process.env;
  // Checked before anything is read: a missing variable is a mistake to say at once.
  const identity = graphIdentityFromEnvironment(env, { cwd: io.cwd, credentialOptions: io.credentialOptions });
  const report = await auditEnvironments({
    projectRoot: io.projectRoot,
    environments,
    outputsFiles,
    shard,
    parallel,
    identity,
    env,
    graph: io.graph,
    // Progress quotes Graph's failures: shown escaped, as every log line here.
    onProgress: (line) => io.stderr.write(`${escapeControlCharacters(line)}\n`),
  });
  for (const note of report.notes) io.stderr.write(`note: ${note}\n`);
  io.stdout.write(formatAuditReport(report, format, colorsFor(io.stdout)));
  return auditExitCode(report);
}
