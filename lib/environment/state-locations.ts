import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend } from './backend';
import type { Environment } from './environment';
import type { Problem } from '../process/problem';

/** Where one stack keeps its Terraform state, and who set it there. */
interface StateLocation {
  /** Equal for two stacks exactly when they would read and write one state. */
  readonly key: string;
  /** The place in words, for the message. */
  readonly place: string;
  readonly file: string;
  /** The field that puts the state there. */
  readonly path: string;
  readonly stack: string;
  /** The customer tenant whose stack it is; undefined for the environment's own stack. */
  readonly tenant?: string;
}

/** HCP Terraform, when a cloud backend names no host. */
const DEFAULT_CLOUD_HOST = 'app.terraform.io';

/**
 * Stacks of different environments (or customer tenants) that would keep their state in one place: the
 * same blob, local file or workspace. Each apply would then rewrite the other's registration from its own
 * code, so this is an error naming both files, reported on the later one. Derived locations count too:
 * the default `terraform.<name>.tfstate`, and the `-tenant-<name>` key, file and workspace of a customer
 * tenant stack. Stacks whose names already clash are reported once, as a stack name clash.
 */
export function sharedStateLocations(environments: readonly Environment[], projectRoot: string): Problem[] {
  const first = new Map<string, StateLocation>();
  const problems: Problem[] = [];
  for (const location of environments.flatMap((environment) => locationsOf(environment, projectRoot))) {
    const earlier = first.get(location.key);
    if (earlier === undefined) {
      first.set(location.key, location);
      continue;
    }
    if (earlier.stack.toLowerCase() === location.stack.toLowerCase()) continue;
    const what = location.tenant === undefined ? 'keeps its state' : `gives the stack ${location.stack} of customer tenant "${location.tenant}" its state`;
    const theirs = earlier.tenant === undefined ? 'its own' : `that of its stack ${earlier.stack}`;
    problems.push({
      file: location.file,
      path: location.path,
      message:
        `${what} in ${location.place}, where ${earlier.file} keeps ${theirs} (${earlier.path}): ` +
        "two stacks sharing one state each rewrite the other's registration on every apply; give each its own",
    });
  }
  return problems;
}

function locationsOf(environment: Environment, projectRoot: string): StateLocation[] {
  const own = where(environment.backend, projectRoot);
  return [
    { ...own, file: environment.file, stack: environment.name, path: own.field },
    ...environment.customerTenants.map((tenant, index) => ({
      ...where(tenant.backend, projectRoot),
      file: environment.file,
      stack: tenant.stackName,
      tenant: tenant.name,
      path: `customerTenants[${index}].name`,
    })),
  ];
}

function where(backend: Backend, projectRoot: string): { key: string; place: string; field: string } {
  switch (backend.type) {
    case 'azurerm':
      // Storage account and container names are lower case; blob names are case-sensitive in Azure.
      return {
        key: `azurerm\0${backend.storageAccountName}\0${backend.containerName}\0${backend.key}`,
        place: `storage account ${backend.storageAccountName}, container ${backend.containerName}, key ${JSON.stringify(backend.key)}`,
        field: 'backend.key',
      };
    case 'cloud': {
      const host = (backend.hostname ?? DEFAULT_CLOUD_HOST).toLowerCase();
      return {
        key: `cloud\0${host}\0${backend.organization.toLowerCase()}\0${backend.workspace.toLowerCase()}`,
        place: `workspace ${JSON.stringify(backend.workspace)} of organization ${JSON.stringify(backend.organization)} on ${host}`,
        field: 'backend.workspace',
      };
    }
    case 'local':
      return { key: `local\0${sameFile(onDisk(projectRoot, backend.path.replace(/\\/g, '/')))}`, place: `the file ${JSON.stringify(backend.path)}`, field: 'backend.path' };
  }
}

/**
 * The file a relative path opens, as the operating system follows it: through the links among the
 * folders that exist (`state/` a link to `.`, or `state/..` where `state` is a link elsewhere, which
 * is not where the path's spelling points), and as spelt from the first part that does not exist yet.
 */
function onDisk(projectRoot: string, path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  let real: string;
  try {
    real = realpathSync(projectRoot);
  } catch {
    return resolve(projectRoot, path);
  }
  let followed = 0;
  for (; followed < parts.length; followed++) {
    try {
      real = realpathSync(join(real, parts[followed]));
    } catch {
      break;
    }
  }
  return resolve(real, ...parts.slice(followed));
}

/**
 * One form for every spelling of a path that Windows or macOS would open as the same file: the same
 * repository is checked out on both, so `State.tfstate` and `state.tfstate` are one file there even
 * where Linux keeps two. Case is ignored, Unicode normalised (macOS stores NFD), and the trailing dots
 * and spaces Windows drops from a name are dropped.
 */
function sameFile(absolute: string): string {
  return absolute
    .normalize('NFC')
    .split('/')
    .map((segment) => segment.replace(/[. ]+$/, ''))
    .join('/')
    .toLowerCase();
}
