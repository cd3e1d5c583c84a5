import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { LIB } from './support/builders';

/** Every `from '...'`, `import '...'` and `require('...')` specifier, type-only imports included. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The files of lib/ each file imports by relative path, as `lib/`-relative names. */
function relativeImports(): Map<string, string[]> {
  const files = typeScriptFiles(LIB);
  const known = new Set(files);
  const resolveImport = (from: string, specifier: string) =>
    [`${specifier}.ts`, join(specifier, 'index.ts')].map((candidate) => resolve(dirname(from), candidate)).find((path) => known.has(path));
  return new Map(
    files.map((file) => {
      // Comments may show an import (`import { defineEnvironment } from '../lib/environment'`) without making one.
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const targets = [...source.matchAll(SPECIFIER)]
        .map((match) => match[1])
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => {
          const target = resolveImport(file, specifier);
          if (!target) throw new Error(`${relative(LIB, file)} imports ${specifier}, which is no file of lib/`);
          return relative(LIB, target);
        });
      return [relative(LIB, file), targets];
    }),
  );
}

/** One import cycle per strongly connected group of files, each written `a.ts -> b.ts -> a.ts`. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('lib/ imports', () => {
  test('form no cycle, type-only imports included', () => {
    expect(importCycles(relativeImports())).toEqual([]);
  });

  test('the cycle finder finds a cycle of type-only imports', () => {
    const graph = new Map([
      ['environment/environment.ts', ['environment/certificates.ts']],
      ['environment/certificates.ts', ['environment/environment.ts']],
    ]);
    expect(importCycles(graph)).toEqual(['environment/environment.ts -> environment/certificates.ts -> environment/environment.ts']);
  });
});
