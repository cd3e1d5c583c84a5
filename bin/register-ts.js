'use strict';
// Lets plain `node` run this project's TypeScript (main.ts, lib/, environments/) without type-checking.
// Type-checking ts-node is what makes cdktf synths slow; types are checked by `npm run typecheck` instead,
// and environment files are validated at run time, so nothing here depends on the type checker.
// SWC strips types per file in about a millisecond; it is loaded only when a .ts file is first required.
const fs = require('node:fs');

let swc;
function transpile(source, filename) {
  swc ??= require('@swc/core');
  try {
    return transformSync(source, filename);
  } catch (error) {
    throw syntaxError(error);
  }
}

function transformSync(source, filename) {
  return swc.transformSync(source, {
    filename,
    swcrc: false,
    configFile: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  }).code;
}

/** SWC reports a code frame and a native backtrace; keep the message and where it is. */
function syntaxError(error) {
  const text = String(error && error.message ? error.message : error);
  const message = /^\s*[x×]\s+(.+)$/m.exec(text);
  const where = /,-\[.*?:(\d+):(\d+)\]/.exec(text);
  if (!message) return error;
  return new SyntaxError(where ? `${message[1]} (line ${where[1]}, column ${where[2]})` : message[1]);
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
