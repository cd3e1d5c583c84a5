import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from './command-line';

/**
 * One provider download for every stack of a run. Terraform shares providers between working
 * folders through a plugin cache (TF_PLUGIN_CACHE_DIR), but since 1.4 it takes a provider from the
 * cache only when the folder's dependency lock file already holds the provider's checksums
 * (hashicorp/terraform#32129): a freshly synthesized stack has none and would download again. So
 * the first stack initialized for a set of providers lends its lock file to the others.
 */

/** Terraform's dependency lock file, in each stack folder after `terraform init`. */
export const LOCK_FILE = '.terraform.lock.hcl';

/** A CLI configuration file is small; anything bigger is not read. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * `env` with TF_PLUGIN_CACHE_DIR set, the folder created. A cache the user chose (the variable, or
 * `plugin_cache_dir` in their CLI configuration) is kept; otherwise Terraform's conventional
 * `~/.terraform.d/plugin-cache`, outside the checkout, where no pull request can place a file.
 */
export function withPluginCache(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const home = env.HOME || env.USERPROFILE || homedir();
  if (env.TF_PLUGIN_CACHE_DIR) {
    // Terraform reads a relative cache folder from the stack folder it is sent to with -chdir
    // (hashicorp/terraform#36881), not from where the user set it: where npm was run, as every path.
    const cache = resolve(env.INIT_CWD ?? process.cwd(), env.TF_PLUGIN_CACHE_DIR);
    createFolder(cache, 'TF_PLUGIN_CACHE_DIR');
    return { ...env, TF_PLUGIN_CACHE_DIR: cache };
  }
  if (cliConfigSetsCache(env, home)) return env;
  const cache = join(home, '.terraform.d', 'plugin-cache');
  createFolder(cache, 'the plugin cache');
  return { ...env, TF_PLUGIN_CACHE_DIR: cache };
}

function createFolder(folder: string, what: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new UserError(`${what} ${folder}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}); set TF_PLUGIN_CACHE_DIR to a folder you can write`);
  }
}

/** Whether the CLI configuration Terraform reads names a plugin cache (the variable would override it). */
function cliConfigSetsCache(env: NodeJS.ProcessEnv, home: string): boolean {
  const file = env.TF_CLI_CONFIG_FILE || (process.platform === 'win32' && env.APPDATA ? join(env.APPDATA, 'terraform.rc') : join(home, '.terraformrc'));
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_CONFIG_BYTES) return false;
    return /^\s*plugin_cache_dir\s*=/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The providers a synthesized stack requires, as full addresses (`registry.terraform.io/hashicorp/azuread`),
 * sorted; empty when its `cdk.tf.json` cannot be read.
 */
export function requiredProviders(stackDir: string): string[] {
  let required: unknown;
  try {
    required = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'))?.terraform?.required_providers;
  } catch {
    return [];
  }
  if (typeof required !== 'object' || required === null) return [];
  return Object.entries(required)
    .map(([name, requirement]) => providerAddress(typeof requirement?.source === 'string' ? requirement.source : name))
    .sort();
}

function providerAddress(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/** Lock file entries learnt from stacks initialized in this run, lent to stacks that have none. */
export class SharedLocks {
  private readonly blocks = new Map<string, string>();

  /** Whether every one of `providers` has an entry. */
  covers(providers: readonly string[]): boolean {
    return providers.every((provider) => this.blocks.has(provider));
  }

  /** Takes the entries of a stack's lock file (written by its `terraform init`). */
  learn(stackDir: string): void {
    let text: string;
    try {
      text = readFileSync(join(stackDir, LOCK_FILE), 'utf8');
    } catch {
      return;
    }
    for (const match of text.matchAll(/^provider "([^"]+)" \{\n[\s\S]*?^\}\n?/gm)) {
      if (!this.blocks.has(match[1])) this.blocks.set(match[1], match[0]);
    }
  }

  /**
   * Writes the known entries as the lock file of a stack that has none. Terraform drops entries a
   * stack does not need; a stack's own lock file is never replaced.
   */
  lend(stackDir: string): void {
    const file = join(stackDir, LOCK_FILE);
    if (this.blocks.size === 0 || existsSync(file)) return;
    const header = '# Lent by npm run plan/drift from another stack of this run, so that terraform init takes providers from the plugin cache.\n\n';
    writeFileSync(file, header + [...this.blocks.values()].map((block) => block.trimEnd()).join('\n\n') + '\n');
  }
}
