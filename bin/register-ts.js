'use strict';
// Lets plain `node` run this project's TypeScript (main.ts, lib/, environments/, cli/) without
// type-checking. Type-checking ts-node is what makes cdktf synths slow; types are checked by
// `npm run typecheck` instead, and environment files are validated at run time, so nothing here
// depends on the type checker. SWC strips types in about a millisecond a file; its output is kept
// in node_modules/.cache by a hash of the source, so an unchanged file is not transpiled again and
// SWC is not even loaded when nothing changed. Stack traces show the .ts file's own lines: see
// mapStackTraces below.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { SourceMap } = require('node:module');
const path = require('node:path');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'register-ts');
const SWC_OPTIONS = {
  swcrc: false,
  configFile: false,
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  // The map goes at the end of the output, so that the cache holds code and map in one file. The
  // sources are not copied into it: they are the .ts files beside which it is used.
  sourceMaps: 'inline',
  inlineSourcesContent: false,
};

let swc;
function transpile(source, filename) {
  swc ??= require('@swc/core');
  try {
    return swc.transformSync(source, { ...SWC_OPTIONS, filename }).code;
  } catch (error) {
    // Which file, for a loader that required another one (an environment importing its helper).
    throw Object.assign(syntaxError(error, source), { file: filename });
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
  const temporary = `${cached}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, cached);
  } catch {
    // a read-only checkout still works, only slower
    fs.rmSync(temporary, { force: true });
  }
  return code;
}

/** SWC's version, its options and this file: a new SWC or a changed loader must not reuse old output. */
const CACHE_KEY = `${require('@swc/core/package.json').version}\n${JSON.stringify(SWC_OPTIONS)}\n${fs.readFileSync(__filename, 'utf8')}`;

/**
 * SWC reports a code frame and a native backtrace; keep the message and where it is. The frame's
 * header names the line but always column 1: the column is where the caret under that line points,
 * counted in the source line (the frame shows a tab as 4 spaces).
 */
function syntaxError(error, source) {
  const text = String(error && error.message ? error.message : error);
  const message = /^\s*[x×]\s+(.+)$/m.exec(text);
  const where = /,-\[.*?:(\d+):\d+\]/.exec(text);
  if (!message) return error;
  if (!where) return new SyntaxError(message[1]);
  const line = Number(where[1]);
  return new SyntaxError(`${message[1]} (line ${line}, column ${caretColumn(text, line, source)})`);
}

function caretColumn(frame, line, source) {
  const lines = frame.split('\n');
  const numbered = lines.findIndex((l) => new RegExp(`^\\s*${line} \\| `).test(l));
  const caret = lines[numbered + 1];
  if (numbered === -1 || !caret || !/^\s*: *\^/.test(caret)) return 1;
  const shown = caret.indexOf('^') - (lines[numbered].indexOf('|') + 2);
  const sourceLine = source.split(/\r?\n/)[line - 1] ?? '';
  let width = 0;
  let column = 1;
  for (const character of sourceLine) {
    if (width >= shown) break;
    width += character === '\t' ? 4 : 1;
    column += character.length;
  }
  return column;
}

/**
 * A .ts file's text. Windows editors save "Unicode" as UTF-16 with a byte order mark, which the
 * TypeScript compiler reads as well; read as UTF-8 it would be a syntax error at line 1, column 1.
 */
function sourceText(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/** The transpiled code of every .ts file loaded, by file name: their source maps, not decoded yet. */
const transpiled = new Map();

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const code = cachedTranspile(sourceText(fs.readFileSync(filename)), filename);
  transpiled.set(filename, code);
  module._compile(code, filename);
};

/**
 * Maps the stack trace lines that fall in transpiled files back to the .ts lines. Node's own source
 * map support (--enable-source-maps, process.setSourceMapsEnabled) would do it too, but decodes the
 * inline source map of every module it loads, cdktf's and the providers' included: that makes
 * loading cdktf 10-15% slower on every synth. Here a map is decoded only when a stack trace passes
 * through its file. With Node's own support switched on, Node maps every file itself.
 */
function mapStackTraces() {
  if (process.sourceMapsEnabled) return;
  const maps = new Map();
  const mapOf = (filename) => {
    if (!maps.has(filename)) {
      const code = transpiled.get(filename);
      const marker = 'sourceMappingURL=data:application/json;base64,';
      const at = code.lastIndexOf(marker);
      try {
        maps.set(filename, new SourceMap(JSON.parse(Buffer.from(code.slice(at + marker.length).trim(), 'base64').toString())));
      } catch {
        // a damaged cache file: its lines stay as they are
        maps.set(filename, undefined);
      }
    }
    return maps.get(filename);
  };
  const where = (site) => {
    const text = String(site);
    const filename = site.getFileName();
    if (!transpiled.has(filename)) return text;
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    const entry = mapOf(filename)?.findEntry(line - 1, column - 1);
    if (entry?.originalLine === undefined) return text;
    return text.replace(`${filename}:${line}:${column}`, `${filename}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
  };
  Error.prepareStackTrace = (error, sites) => {
    let header;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = '<error>';
    }
    return header + sites.map((site) => `\n    at ${where(site)}`).join('');
  };
  // Node prints an uncaught error's stack after the line that threw it, whose number it takes from
  // the transpiled code, not the .ts file; the stack alone names the right line.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : `Uncaught ${require('node:util').inspect(error)}`}\n`);
    process.exit(1);
  });
}

mapStackTraces();
