import { escapeControlCharacters } from './problem';

/**
 * Text into GitHub markdown (a pull request comment, a job summary). Reports quote what files and
 * plans say (addresses, labels, display names, messages), and a pull request is an attacker's
 * chance to write them, so every quoted piece stays text: one line, safe in a table cell.
 */

/** A zero-width space, written as an entity: it breaks what GitHub would link without showing. */
const INERT = '&#8203;';

/**
 * Plain text as markdown that renders as the same text: HTML and markdown characters lose their
 * meaning (`&`, `<`, `>`, pipes, backticks, emphasis, links, headings, list markers), line breaks
 * and carriage returns become spaces, other control characters and direction overrides are shown
 * as `\u202e`-style escapes, and what GitHub would turn into a notification or a link
 * stays inert: `@mentions`, `#123` references, `https://` and `www.` addresses.
 */
export function escapeMarkdown(text: string): string {
  return escapeControlCharacters(oneLine(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+=]|\d+(?=[.)]))/, (_, space: string, marker: string) => `${space}${/^\d/.test(marker) ? `${marker}\\` : `\\${marker}`}`)
    .replace(/@/g, `@${INERT}`)
    .replace(/\\#(?=\d)/g, `\\#${INERT}`)
    .replace(/\bGH-(?=\d)/gi, (gh) => `${gh}${INERT}`)
    .replace(/:\/\//g, `:${INERT}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${INERT}.`);
}

/**
 * Text as an inline code span that holds it exactly: a fence longer than any run of backticks in
 * it, pipes escaped (GitHub splits table cells before it reads code spans), on one line. Code spans
 * are never linked or mentioned, and HTML in them is shown, not run.
 */
export function markdownCode(text: string): string {
  const line = escapeControlCharacters(oneLine(text)).replace(/\|/g, '\\|');
  if (line === '') return '` `';
  const longestRun = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || (line.startsWith(' ') && line.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}
