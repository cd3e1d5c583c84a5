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
  const position = /at position (\d+)/.exec(message);
  const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
  // V8 words some errors with an excerpt of the text ("Unexpected token 'x', "..." is not valid JSON"):
  // keep only its own wording, which names JSON's punctuation at most.
  const reason = /^Unexpected token/.test(message) ? 'unexpected character' : message.replace(/ in JSON at position \d+.*$/s, '').replace(/ after JSON at position \d+.*$/s, ' after the JSON value').replace(/\s+/g, ' ');
  return `is not valid JSON${where}: ${reason}`;
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
