'use strict';
// Lets plain `node` run this project's TypeScript (main.ts, lib/, environments/, cli/) without
// type-checking. Type-checking ts-node is what makes cdktf synths slow; types are checked by
// `npm run typecheck` instead, and environment files are validated at run time, so nothing here
// depends on the type checker. SWC strips types in about a millisecond a file; its output is kept
// in node_modules/.cache by a hash of the source, so an unchanged file is not transpiled again and
// SWC is not even loaded when nothing changed.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'register-ts');
const SWC_OPTIONS = {
  swcrc: false,
  configFile: false,
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
};

let swc;
function transpile(source, filename) {
  swc ??= require('@swc/core');
  try {
    return swc.transformSync(source, { ...SWC_OPTIONS, filename }).code;
  } catch (error) {
    throw syntaxError(error);
  }
}

/** The transpiled file from the cache, or transpiled now and cached; the cache is only an optimisation. */
function cachedTranspile(source, filename) {
  const key = createHash('sha256').update(CACHE_KEY).update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${path.basename(filename, '.ts')}-${key.slice(0, 32)}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const code = transpile(source, filename);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, cached);
  } catch {
    // a read-only checkout still works, only slower
  }
  return code;
}

/** SWC's version and options: a new SWC or other options must not reuse old output. */
const CACHE_KEY = `${require('@swc/core/package.json').version}\n${JSON.stringify(SWC_OPTIONS)}\n`;

/** SWC reports a code frame and a native backtrace; keep the message and where it is. */
function syntaxError(error) {
  const text = String(error && error.message ? error.message : error);
  const message = /^\s*[x×]\s+(.+)$/m.exec(text);
  const where = /,-\[.*?:(\d+):(\d+)\]/.exec(text);
  if (!message) return error;
  return new SyntaxError(where ? `${message[1]} (line ${where[1]}, column ${where[2]})` : message[1]);
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(cachedTranspile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
