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
  } catch (error) {
    return { problem: jsonProblem(text, error as Error) };
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

function jsonProblem(text: string, error: Error): string {
  if (/[\u201C\u201D]/.test(text) && isJson(text.replace(/[\u201C\u201D]/g, '"'))) {
    return 'is not valid JSON: it uses typographic quotes (“ ”) where JSON needs straight quotes ("), as when copied from a web page';
  }
  const message = String(error.message);
  // V8 words some errors with an excerpt of the text ("Unexpected token 'x', "..." is not valid JSON")
  // and no position: those get the position found here and no excerpt.
  if (/^Unexpected token/.test(message)) {
    const offset = syntaxErrorOffset(text);
    return `is not valid JSON${offset === undefined ? '' : ` at ${lineAndColumn(text, offset)}`}: unexpected character`;
  }
  const position = /at position (\d+)/.exec(message);
  const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
  const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ after JSON at position \d+.*$/s, ' after the JSON value').replace(/\s+/g, ' ');
  return `is not valid JSON${where}: ${reason}`;
}

/**
 * Where JSON text first breaks its grammar (RFC 8259), or undefined if it does not. Recursive, which
 * is safe: callers have refused nesting past MAX_JSON_DEPTH.
 */
function syntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const broken = new Error('broken');
  const fail = (): never => {
    throw broken;
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (c: string) => (text[i] === c ? i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) {
          fail();
        }
      }
      i++;
    }
    expect('"');
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
          string();
          space();
          expect(':');
        }
        value();
        space();
        if (text[i] !== ',') {
          expect(close);
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
    if (word === undefined) return fail();
    i += word.length;
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error === broken) return i;
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
