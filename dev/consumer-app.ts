// A consumer's CDK for Terraform app around the packed package, as another team makes one: the tarball
// and its peers installed by npm, offline, from the npm cache that `npm ci` (or `npm install`) filled for
// the project it runs in, so the peers are the versions that project locks (cdktf 0.21, or cdktn 0.24
// aliased as cdktf in the copy `npm run test:cdktn` makes). Used by `npm run test:consumer` and the
// package test.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The package's peers a consumer on azuread installs: no tls provider, which only self-signed certificates need. */
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-azuread'] as const;

/** Without the variables cdktf's CLI sets, App() writes to ./cdktf.out as it does for a consumer. */
export const CONSUMER_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CDKTF_')));

export function run(command: string, args: readonly string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: CONSUMER_ENV, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return String(result.stdout);
}

/**
 * Builds the package (dist/, with declarations and source maps) into a copy of package/ in `destination`
 * and packs it there: the repository's package/dist is left as it is. `typeCheck: false` only emits,
 * for the package test, whose types `npm test` checks already (the emitted files are the same).
 */
export function packPackage(projectRoot: string, destination: string, { typeCheck = true } = {}): string {
  const staged = join(destination, 'package');
  mkdirSync(staged, { recursive: true });
  for (const file of readdirSync(join(projectRoot, 'package'))) {
    if (file !== 'dist' && file !== 'node_modules') cpSync(join(projectRoot, 'package', file), join(staged, file), { recursive: true });
  }
  const tsc = [join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(staged, 'dist')];
  run(process.execPath, typeCheck ? tsc : [...tsc, '--noCheck'], { cwd: projectRoot });
  const name = run('npm', ['pack', '--json', '--pack-destination', destination, staged], { cwd: projectRoot });
  return join(destination, (JSON.parse(name) as { filename: string }[])[0].filename);
}

/** The first ```ts block of the package's README: the complete `main.ts` it shows. */
export function readmeMain(projectRoot: string): string {
  const readme = readFileSync(join(projectRoot, 'package/README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error('package/README.md has no ts block');
  return `${block[1]}\n`;
}

export interface ConsumerAppOptions {
  /** The project whose lock file and npm cache give the peers. */
  readonly projectRoot: string;
  /** The consumer app's folder, made here. */
  readonly dir: string;
  /** The packed package. */
  readonly tarball: string;
  /**
   * `installed`: npm installs the peers from the project's lock file, offline, as an app's own install would.
   * `linked`: the project's own peers are linked in (a second faster, for the package test).
   */
  readonly peers: 'installed' | 'linked';
  /** Files of the app besides package.json, by path. */
  readonly files: Readonly<Record<string, string | Buffer>>;
}

/** Makes the consumer app and installs the tarball and the peers, offline. */
export function makeConsumerApp(options: ConsumerAppOptions): void {
  const { dir, projectRoot, tarball } = options;
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(options.files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const npm = ['--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
  if (options.peers === 'linked') {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // Without the peers in the lock, npm would fetch them to check: linked below instead.
    run('npm', ['install', ...npm, '--legacy-peer-deps', tarball], { cwd: dir });
    for (const peer of PEERS) {
      mkdirSync(join(dir, 'node_modules', peer, '..'), { recursive: true });
      symlinkSync(join(projectRoot, 'node_modules', peer), join(dir, 'node_modules', peer));
    }
    return;
  }
  const { manifest, lock } = consumerManifestAndLock(projectRoot, dir, tarball);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  run('npm', ['ci', ...npm], { cwd: dir });
}

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly inBundle?: boolean;
  readonly [field: string]: unknown;
}

/**
 * The consumer's package.json (the peers at the specs the project asks for, its overrides, the tarball)
 * and a lock file of the project's own entries for them, so that `npm ci --offline` finds every tarball
 * in the cache by its integrity and needs no registry.
 */
function consumerManifestAndLock(projectRoot: string, dir: string, tarball: string) {
  const project = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  const projectLock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packed = JSON.parse(readFileSync(join(projectRoot, 'package/package.json'), 'utf8'));
  const tarballSpec = `file:${relative(dir, tarball)}`;
  const dependencies = {
    ...Object.fromEntries(PEERS.map((peer) => [peer, project.devDependencies[peer] as string])),
    [packed.name]: tarballSpec,
  };
  const manifest = { name: 'consumer', private: true, dependencies, ...(project.overrides ? { overrides: project.overrides } : {}) };
  const packages: Record<string, unknown> = { '': { name: 'consumer', dependencies } };
  const add = (path: string) => {
    if (packages[path]) return;
    const entry = projectLock.packages[path];
    if (!entry) throw new Error(`${path} is not in ${projectRoot}/package-lock.json`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[path] = entry.inBundle || entry.resolved ? kept : { ...kept, resolved: registryTarball(path, entry) };
    // Bundled and nested dependencies sit below it.
    for (const nested of Object.keys(projectLock.packages).filter((p) => p.startsWith(`${path}/node_modules/`))) add(nested);
    for (const dependency of Object.keys(entry.dependencies ?? {})) add(resolveFrom(path, dependency));
  };
  // Where Node finds a dependency from a package: its own node_modules, then each enclosing one.
  const resolveFrom = (path: string, dependency: string): string => {
    for (let at = path; ; at = at.slice(0, at.lastIndexOf('/node_modules/'))) {
      const candidate = `${at}/node_modules/${dependency}`;
      if (projectLock.packages[candidate]) return candidate;
      if (!at.includes('/node_modules/')) return `node_modules/${dependency}`;
    }
  };
  for (const peer of PEERS) add(`node_modules/${peer}`);
  const bytes = readFileSync(tarball);
  packages[`node_modules/${packed.name}`] = {
    version: packed.version,
    resolved: tarballSpec,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    license: packed.license,
    engines: packed.engines,
    peerDependencies: packed.peerDependencies,
    peerDependenciesMeta: packed.peerDependenciesMeta,
  };
  return { manifest, lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages } };
}

/**
 * Where the registry serves a locked package's tarball. Lock files written with
 * omit-lockfile-registry-resolved (as this project's is) leave it out, and npm would then ask the
 * registry for the package's metadata to find it, which offline it cannot: for an alias (cdktf as
 * cdktn) even when the tarball is in the cache.
 */
function registryTarball(path: string, entry: LockEntry): string {
  const name = (entry.name as string | undefined) ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');
  return `${registry}${name}/-/${name.slice(name.lastIndexOf('/') + 1)}-${entry.version}.tgz`;
}

/**
 * Type-checks the app's main.ts strictly, as `tsc --strict` would for its authors: with the declarations of
 * its packages too (which then must need no Node types: the app has none), or, with `skipLibCheck` as cdktf's
 * project template has it, only its own code against them (a third of the time).
 */
export function typeCheck(projectRoot: string, dir: string, opts: { readonly skipLibCheck?: boolean } = {}): void {
  const options = ['--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022'];
  if (opts.skipLibCheck) options.push('--skipLibCheck');
  run(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), ...options, 'main.ts'], { cwd: dir });
}

/** Runs the app's main.ts (types stripped by the project's loader) and reads the stacks it synthesized. */
export function synthesize(projectRoot: string, dir: string): Record<string, Record<string, any>> {
  run(process.execPath, ['--enable-source-maps', '--require', join(projectRoot, 'bin/register-ts.js'), 'main.ts'], { cwd: dir });
  const stacks = join(dir, 'cdktf.out/stacks');
  return Object.fromEntries(readdirSync(stacks).map((name) => [name, JSON.parse(readFileSync(join(stacks, name, 'cdk.tf.json'), 'utf8'))]));
}
