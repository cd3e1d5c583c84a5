import { colorsFor, parseCommandLine, readFormat, readOutputsFiles, userPath } from '../process/command-line';
import { escapeControlCharacters } from '../process/problem';
import { DEFAULT_PARALLEL } from '../process/slots';
import { readParallel } from '../review/plan-review';
import { readShard } from '../review/plan-shards';
import { auditEnvironments, auditExitCode, type GraphSettings } from './audit';
import { formatAuditReport } from './audit-report';
import { graphIdentityFromEnvironment, type GraphIdentityOptions } from './graph-credentials';

const USAGE =
  'npm run audit -- [<environment>...] [--format text|markdown|json] [--outputs [<environment>=]<terraform output -json file>]... [--shard K/N] [--parallel N]';
const DESCRIPTION = `Reads each environment's registration live from Microsoft Graph (read-only) and compares it with the
code: the application and its service principal in the environment's tenant, the service principal and
admin consent in each customer tenant. Lists what the code did not put there (client secrets, certificates,
federated credentials, owners, redirect URIs, scopes, app roles, permissions), which Terraform cannot see,
and what the Restore Portal needs that is missing or off, each with what to do.
Signs in as the azuread provider does: ARM_CLIENT_ID with ARM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_SECRET,
ARM_USE_OIDC (GitHub Actions' token, ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH), else the Azure CLI; a token
per tenant. Needs the Graph application permissions Application.Read.All and Directory.Read.All (the consent grants).
The client ID comes from the environment's \`terraform output -json\` (its stack initialized by a plan), or a
saved copy given with --outputs; adopted environments name it themselves. Examples are left out.
--shard K/N audits the tenants of part K of N of the stacks, as drift plans them; --parallel N tenants at
once (default ${DEFAULT_PARALLEL}). GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST override where it reads and signs in.
Exit code: 0 nothing found, 2 findings, 1 something could not be audited.

examples:
  npm run audit
  npm run audit -- prod --format markdown
  npm run audit -- prod --outputs prod=prod-outputs.json`;

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
  const { values, positionals } = parseCommandLine(
    argv,
    {
      options: {
        format: { type: 'string' },
        outputs: { type: 'string', multiple: true },
        shard: { type: 'string' },
        parallel: { type: 'string' },
      },
      allowPositionals: true,
    },
    USAGE,
    DESCRIPTION,
  );
  const format = readFormat(values.format);
  const shard = values.shard === undefined ? undefined : readShard(values.shard);
  const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : readParallel(values.parallel);
  const outputsFiles = readOutputsFiles(values.outputs ?? [], positionals, (file) => userPath(io.projectRoot, file, io.cwd ?? process.cwd()), USAGE);
  const env = io.env ?? process.env;
  // Checked before anything is read: a missing variable is a mistake to say at once.
  const identity = graphIdentityFromEnvironment(env, { cwd: io.cwd, credentialOptions: io.credentialOptions });
  const report = await auditEnvironments({
    projectRoot: io.projectRoot,
    environments: positionals,
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
