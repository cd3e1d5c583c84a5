import { spawnSync } from 'node:child_process';
import { applyBootstrap, bootstrapScript } from './bootstrap';
import { azureCli, type AzureCli } from './azure-cli';
import { setupPlan, type SetupRequest } from './setup-steps';
import { isPlannedInCi } from '../environment/ci-mode';
import { loadEnvironments } from '../environment/environment-files';
import { exampleNote, isExample } from '../environment/example-environment';
import { isGuid } from '../input/field-reader';
import { clipped, commandGrammar, parseCommandLine, usageOf, UserError } from '../process/command-line';
import { escapeControlCharacters, InputError } from '../process/problem';

export const BOOTSTRAP_GRAMMAR = commandGrammar({
  name: 'bootstrap',
  description: `Prints, for the environments (or every environment CI plans), the Azure CLI commands that set up
CI in order: the plan and deploy identities, their Microsoft Graph application permissions and admin
consent, their roles on the state container (and yours), every federated credential subject the
workflows use, and the same consent in each other tenant the environments reach (their customers').
The script is for a tenant where none of it exists; --apply runs the commands through az instead,
signed in to the home tenant, reusing what exists and saying so (a second run changes nothing).
Exit code: 0, or 1 with one line on a mistake or a failed az command.`,
  environments: 'any',
  options: {
    apply: { type: 'boolean', help: 'runs the commands through az, reusing what exists, instead of printing them' },
    repository: { type: 'string', value: '<owner>/<repo>', help: 'the GitHub repository of the workflows (default: the origin remote)' },
    tenant: { type: 'string', value: '<tenant id>', help: "the tenant that holds the identities and the state (default: the environments' own, when they share one)" },
    'plan-identity': { type: 'string', value: '<name>', help: 'the display name of the identity that plans (default restore-portal-plan)' },
    'deploy-identity': { type: 'string', value: '<name>', help: 'the display name of the identity that applies (default restore-portal-deploy)' },
  },
  examples: [
    ['prod msp', 'the set-up of prod and msp as a script, to read, keep or run'],
    ['prod msp --apply', 'the same, run through az, signed in to the home tenant'],
    ['--repository contoso/platform-restore-portal --tenant 72f988bf-0000-0000-0000-000000000000', 'every environment CI plans, for that repository and home tenant'],
  ],
});

/** GitHub's rules for owner and repository names. */
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/**
 * Display names of the identities: they reach a bash script, an OData filter in single quotes and the
 * Azure CLI, which reads an argument starting with "@" as a file to load; none of that can happen.
 */
const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,119}$/;

export interface BootstrapIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly projectRoot: string;
  /** @default the Azure CLI on PATH */
  readonly az?: AzureCli;
  readonly env?: NodeJS.ProcessEnv;
}

export async function bootstrapCommand(argv: readonly string[], io: BootstrapIo): Promise<number> {
  const { values, environments: named } = parseCommandLine(argv, BOOTSTRAP_GRAMMAR, io.stderr);
  const usage = usageOf(BOOTSTRAP_GRAMMAR);
  const identity = (flag: string, value: string | undefined, fallback: string) => {
    if (value === undefined) return fallback;
    if (!IDENTITY_NAME.test(value)) {
      throw new UserError(`--${flag} takes a display name of letters, digits, spaces and . _ ( ) -, starting with a letter or digit, at most 120 characters; got "${clipped(value)}"`, usage);
    }
    return value;
  };
  const planIdentity = identity('plan-identity', values['plan-identity'], 'restore-portal-plan');
  const deployIdentity = identity('deploy-identity', values['deploy-identity'], 'restore-portal-deploy');
  if (planIdentity === deployIdentity) throw new UserError(`--plan-identity and --deploy-identity must differ: one reads, the other writes; both are "${planIdentity}"`, usage);
  const repository = values.repository ?? originRepository(io.projectRoot, usage);
  if (!REPOSITORY.test(repository)) throw new UserError(`--repository takes the GitHub repository as <owner>/<repo>; got "${clipped(repository)}"`, usage);
  if (values.tenant !== undefined && !isGuid(values.tenant)) throw new UserError(`--tenant takes the tenant ID of the home tenant, a GUID; got "${clipped(values.tenant)}"`, usage);

  const environments = chosenEnvironments(io.projectRoot, named, usage);
  const tenants = [...new Set(environments.map((e) => e.tenantId))];
  const homeTenant = values.tenant?.toLowerCase() ?? (tenants.length === 1 ? tenants[0] : undefined);
  if (homeTenant === undefined) {
    throw new UserError(`--tenant: the environments are in ${tenants.length} tenants (${tenants.join(', ')}); name the one that holds the identities and the state storage`, usage);
  }
  const request: SetupRequest = { environments, allEnvironments: everyEnvironment(io.projectRoot), repository, homeTenant, planIdentity, deployIdentity };
  const plan = setupPlan(request);
  for (const warning of plan.warnings) io.stderr.write(`warning: ${escapeControlCharacters(warning)}\n`);
  const names = environments.map((e) => e.name).join(', ');
  if (values.apply) {
    await applyBootstrap(plan, homeTenant, io.az ?? azureCli({ env: io.env, stderr: io.stderr }), io.stdout);
  } else {
    io.stdout.write(bootstrapScript(plan, `The Azure set-up of ${names} for the GitHub workflows of ${repository}, by npm run bootstrap.`));
  }
  return 0;
}

/** The environments named, or every one CI plans; examples never. */
function chosenEnvironments(projectRoot: string, named: readonly string[], usage: string) {
  const loaded = loadEnvironments({ projectRoot, only: named.length > 0 ? named : undefined, allowExpired: true });
  if (loaded.problems.length > 0) throw new InputError(loaded.problems);
  const examples = loaded.environments.filter(isExample);
  if (named.length > 0 && examples.length > 0) throw new UserError(examples.map(exampleNote).join('; '));
  const environments = named.length > 0 ? loaded.environments : loaded.environments.filter((e) => !isExample(e) && isPlannedInCi(e));
  if (environments.length === 0) {
    throw new UserError('no environment is planned in CI (ci "apply" or "plan", the default for file certificates with remote state): name the environments to set up', usage);
  }
  return environments;
}

/** Every environment of the repository that loads, for warnings about the state they share with the chosen ones. */
function everyEnvironment(projectRoot: string) {
  return loadEnvironments({ projectRoot, allowExpired: true }).environments;
}

/** `<owner>/<repo>` of the origin remote when it is on GitHub. */
function originRepository(projectRoot: string, usage: string): string {
  const origin = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: projectRoot, encoding: 'utf8', timeout: 10_000 });
  const url = origin.status === 0 ? origin.stdout.trim() : '';
  const match = /^(?:https:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url);
  if (!match) throw new UserError('--repository: no GitHub origin remote to take it from; give the GitHub repository as --repository <owner>/<repo>', usage);
  return match[1];
}
