/** One thing wrong with the user's input, located precisely enough to fix without a stack trace. */
export interface Problem {
  /** The file at fault, relative to the project root (`environments/prod.ts`). */
  readonly file: string;
  /** The field path inside it (`redirectUris[1]`), or empty when the whole file is at fault. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** A warning has the same shape as a problem but does not stop synthesis. */
export type Warning = Problem;

/**
 * One line for a terminal or a CI log. Field names and values come from the user's files, so control
 * characters are shown escaped: a line break cannot forge another problem line, nor an escape
 * sequence clear the screen.
 */
export function formatProblem(problem: Problem): string {
  return escapeControlCharacters(problem.path ? `${problem.file}: ${problem.path}: ${problem.message}` : `${problem.file}: ${problem.message}`);
}

/** Text cut to at most `max` characters, "..." marking the cut: what a message or report line quotes of a longer text. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * Control characters (line breaks included) as `\u001b`-style escapes, for text from the user's files,
 * arguments or plans. So are the invisible characters that change how a line reads without showing
 * (direction overrides and isolates, zero-width characters, the byte order mark): `\u202e` turns
 * `https://restore.contoso.com` around on screen, as in "Trojan Source" (CVE-2021-42574).
 *
 * A CI log reads a line as a workflow command (`::error::`, `::add-mask::`, `::stop-commands::`) when
 * it starts with `::` once leading white space is trimmed, and GitHub's runner starts a line at `\r`
 * as at `\n`. Both are escaped above; a `::` where the text or a word of it begins, which would begin
 * the line were the text printed first, becomes `:\u003a`. A `::` inside a word (`[2001:db8::1]`) is kept.
 */
export function escapeControlCharacters(text: string): string {
  return text
    .replace(new RegExp(INVISIBLE_OR_CONTROL, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/(^|\s)::/g, '$1:\\u003a');
}

/** C0 and C1 controls, line and paragraph separators, and invisible format characters that reorder or hide text. */
export const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Thrown when user input is wrong; carries every problem found, not just the first. */
export class InputError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}
