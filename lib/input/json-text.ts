/**
 * JSON a user gave a command (a saved plan, a manifest, saved outputs), parsed so that every failure
 * is one line that quotes nothing of the file: these files hold secrets (a saved plan holds state),
 * and the line lands in CI logs and pull request comments.
 */

/**
 * Deeper than anything Terraform, Entra or this tool writes (plans nest about 10 levels); the code
 * that walks a parsed file recurses, so a file nested a million levels deep is refused here.
 */
export const MAX_JSON_DEPTH = 100;

export type JsonResult = { readonly value: unknown } | { readonly problem: string };

/** Parses JSON text, or says in one line (never quoting the text) why it is not JSON. */
export function parseJson(text: string): JsonResult {
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) return { problem: `is nested more than ${MAX_JSON_DEPTH} levels deep, which no file this tool reads is` };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { problem: jsonProblem(text) };
  }
}

/** How deep arrays and objects nest, counted in one pass outside strings. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

function jsonProblem(text: string): string {
  if (/[\u201C\u201D]/.test(text) && isJson(text.replace(/[\u201C\u201D]/g, '"'))) {
    return 'is not valid JSON: it uses typographic quotes (“ ”) where JSON needs straight quotes ("), as when copied from a web page';
  }
  // In our own words rather than JSON.parse's: V8 words them differently from one Node release to the
  // next, and some of its messages quote the text.
  if (text.trim() === '') return 'is not valid JSON: it is empty';
  const broken = syntaxError(text);
  if (broken === undefined) return 'is not valid JSON';
  return `is not valid JSON at ${lineAndColumn(text, broken.offset)}: ${broken.reason}`;
}

/**
 * Where JSON text first breaks its grammar (RFC 8259) and what was expected there, or undefined if it
 * does not. Recursive, which is safe: callers have refused nesting past MAX_JSON_DEPTH.
 */
function syntaxError(text: string): { readonly offset: number; readonly reason: string } | undefined {
  let i = 0;
  class Broken {
    constructor(readonly reason: string) {}
  }
  const ends = 'the text ends before the JSON is complete';
  const fail = (reason: string): never => {
    throw new Broken(i < text.length ? reason : ends);
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('a line break or control character inside a string, where JSON needs it escaped');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('an escape \\u without four hex digits after it');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) {
          fail('a backslash that starts no escape JSON knows');
        }
      }
      i++;
    }
    if (i >= text.length) fail(ends);
    i++;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail(text[i] === '}' ? "a comma before '}': JSON allows none after the last property" : 'expected a property name in double quotes');
          string();
          space();
          if (text[i] !== ':') fail("expected ':' after the property name");
          i++;
        } else {
          space();
          if (text[i] === ']') fail("a comma before ']': JSON allows none after the last element");
        }
        value();
        space();
        if (text[i] !== ',') {
          if (text[i] !== close) fail(`expected ',' or '${close}' after ${c === '{' ? 'a property' : 'an element'}`);
          i++;
          return;
        }
        i++;
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.exec(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (word === undefined) fail('expected a value: an object, a list, a string in double quotes, a number, true, false or null');
    i += word!.length;
  };
  try {
    value();
    space();
    return i < text.length ? { offset: i, reason: 'more text after the JSON value' } : undefined;
  } catch (error) {
    if (error instanceof Broken) return { offset: i, reason: error.reason };
    throw error;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}
