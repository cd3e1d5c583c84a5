import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FileCertificate } from '../../lib/certificates/certificate';
import { parseEnvironment, type Environment, type EnvironmentResult } from '../../lib/environment/environment';
import { InputError, formatProblem } from '../../lib/process/problem';
import type { SynthOptions, SynthResult } from '../../lib/synthesis/synth';
import { temporaryFolder } from './clean-up';

/**
 * cdktf, the providers and our synthesis, loaded by the first test of a file that synthesizes. Loading
 * them takes a few hundred milliseconds in every test file that does, and most test files only build
 * inputs, validate environments or run commands.
 */
type Synthesis = Pick<typeof import('cdktf'), 'Testing'> &
  Pick<typeof import('../../lib/synthesis/restore-portal-stack'), 'RestorePortalStack'> &
  Pick<typeof import('../../lib/synthesis/stack-synthesis'), 'buildApp' | 'writeApp'> &
  Pick<typeof import('../../lib/synthesis/synth'), 'synthProject'>;
let synthesis: Synthesis | undefined;
function loadSynthesis(): Synthesis {
  synthesis ??= {
    Testing: require('cdktf').Testing,
    RestorePortalStack: require('../../lib/synthesis/restore-portal-stack').RestorePortalStack,
    buildApp: require('../../lib/synthesis/stack-synthesis').buildApp,
    writeApp: require('../../lib/synthesis/stack-synthesis').writeApp,
    synthProject: require('../../lib/synthesis/synth').synthProject,
  };
  return synthesis;
}

export const REPO_ROOT = resolve(__dirname, '../..');
export const FIXTURES = resolve(__dirname, '../fixtures');
export const LIB = join(REPO_ROOT, 'lib');
export const TENANT = '11111111-2222-3333-4444-555555555555';
/** A fixed clock between the test certificates' validity dates. */
export const NOW = new Date('2027-01-01T00:00:00Z');

/** A minimal valid environment input; override any field. */
export function validInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenantId: TENANT,
    redirectUris: ['https://restore.example.com:4443'],
    certificates: [{ source: 'file', path: 'certs/valid.cer' }],
    ...overrides,
  };
}

/** Validates an input as if it were `fixtures/<name>.ts`, certificates read from fixtures/certs. */
export function parse(input: unknown, opts: { name?: string; now?: Date; allowExpired?: boolean } = {}): EnvironmentResult {
  const name = opts.name ?? 'test';
  return parseEnvironment(input, {
    name,
    file: `environments/${name}.ts`,
    environmentsDir: FIXTURES,
    now: opts.now ?? NOW,
    allowExpired: opts.allowExpired,
  });
}

/** Validates an input that must be valid. */
export function environment(overrides: Record<string, unknown> = {}, name = 'test'): Environment {
  const result = parse(validInput(overrides), { name });
  if (!result.environment) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.environment;
}

/** The certificates of an environment that lists only certificate files. */
export function fileCertificates(env: Environment): FileCertificate[] {
  return env.certificates.map((c) => {
    if (c.source !== 'file') throw new Error(`${c.label} is not a certificate file`);
    return c;
  });
}

/** The problem lines (`file: path: message`) of an invalid input. */
export function problemsOf(input: unknown, opts: { name?: string; now?: Date } = {}): string[] {
  return parse(input, opts).problems.map(formatProblem);
}

export interface SynthesizedStack {
  resource: Record<string, Record<string, Record<string, any>>>;
  data: Record<string, Record<string, Record<string, any>>>;
  output: Record<string, { value: any; description?: string; sensitive?: boolean }>;
  provider: Record<string, Record<string, any>[]>;
  terraform: Record<string, any>;
}

/**
 * cdktf's Testing.app() with an output folder removed after the test (or after the file, outside a
 * test): left to itself, each one makes a cdktf.outdir.* folder in the system's temporary folder and
 * leaves it there, a few hundred a test run. `testing` is the Testing of another cdktf than the one
 * this file loads (a test's own jest.requireActual).
 */
export function testApp(testing: typeof import('cdktf').Testing = loadSynthesis().Testing): import('cdktf').App {
  return testing.app({ outdir: temporaryFolder('cdktf-test-app-') });
}

/** Synthesizes one environment's stack in memory, as `cdktf synth` would write it. */
export function synthStack(env: Environment = environment()): SynthesizedStack {
  const { Testing, RestorePortalStack } = loadSynthesis();
  const app = testApp();
  const stack = new RestorePortalStack(app, {
    environment: env,
    managedBy: 'the test repository',
    paths: { stackDir: `/project/cdktf.out/stacks/${env.name}`, projectRoot: '/project' },
  });
  return JSON.parse(Testing.synth(stack));
}

/** One resource of a synthesized stack by type and name, failing clearly when absent. */
export function resourceOf(stack: SynthesizedStack, type: string, name: string): Record<string, any> {
  const resource = stack.resource[type]?.[name];
  if (!resource) throw new Error(`no ${type}.${name}; have ${Object.keys(stack.resource[type] ?? {}).join(', ') || 'none'}`);
  return resource;
}

/**
 * A throwaway project folder with environments/ and the test certificates, removed after the test
 * that made it, or after the test file when made outside a test (see onCleanUp).
 */
export class TestProject {
  readonly root = temporaryFolder('restore-portal-test-');
  readonly environmentsDir = join(this.root, 'environments');

  constructor() {
    mkdirSync(join(this.environmentsDir, 'certs'), { recursive: true });
    writeFileSync(join(this.root, 'package.json'), JSON.stringify({ name: 'test-platform-repo' }));
    for (const cert of ['valid.cer', 'second.cer', 'expired.cer']) {
      copyFileSync(join(FIXTURES, 'certs', cert), join(this.environmentsDir, 'certs', cert));
    }
  }

  /** Writes environments/<name>.ts default-exporting `defineEnvironment(input)`, or the given source text. */
  writeEnvironment(name: string, input: Record<string, unknown> | string): string {
    const source =
      typeof input === 'string'
        ? input
        : `import { defineEnvironment } from ${JSON.stringify(join(LIB, 'environment'))};\nexport default defineEnvironment(${JSON.stringify(input, null, 2)});\n`;
    const file = join(this.environmentsDir, `${name}.ts`);
    writeFileSync(file, source);
    return file;
  }

  synth(options: Partial<SynthOptions> = {}): SynthResult {
    return loadSynthesis().synthProject({ projectRoot: this.root, outdir: 'cdktf.out', now: NOW, ...options });
  }

  /** The problem lines of a synth that must fail. */
  synthProblems(options: Partial<SynthOptions> = {}): string[] {
    try {
      this.synth(options);
    } catch (error) {
      if (error instanceof InputError) return error.problems.map(formatProblem);
      throw error;
    }
    throw new Error('synth succeeded but was expected to fail');
  }

  readFile(relativePath: string): string {
    return readFileSync(join(this.root, relativePath), 'utf8');
  }

  /** Removes the project now, before the clean-up would. */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Customer tenants for `customerTenants`, other than TENANT. */
export const CONTOSO = { name: 'contoso', tenantId: 'c0c0c0c0-0000-4000-8000-000000000001' };
export const FABRIKAM = { name: 'fabrikam', tenantId: 'fabfabfa-0000-4000-8000-000000000002' };

export interface SynthesizedApp {
  /** Each stack's Terraform JSON by stack name. */
  readonly stacks: Record<string, SynthesizedStack>;
  /** cdktf's manifest.json: stack names, dependencies, working directories. */
  readonly manifest: { stacks: Record<string, { dependencies: string[]; workingDirectory: string }> };
}

/**
 * Synthesizes whole environments (their own stack and their customer tenant stacks) as synth does:
 * references between stacks are only resolved by a synth of the whole app.
 */
export function synthApp(...environments: Environment[]): SynthesizedApp {
  const { buildApp, writeApp } = loadSynthesis();
  const staging = temporaryFolder('restore-portal-app-');
  const context = { projectRoot: '/project', outdir: '/project/cdktf.out', managedBy: 'the test repository' };
  writeApp(buildApp(environments, context), staging);
  const manifest = JSON.parse(readFileSync(join(staging, 'manifest.json'), 'utf8'));
  const stacks = Object.fromEntries(
    Object.keys(manifest.stacks).map((name) => [name, JSON.parse(readFileSync(join(staging, 'stacks', name, 'cdk.tf.json'), 'utf8'))]),
  );
  return { stacks, manifest };
}
