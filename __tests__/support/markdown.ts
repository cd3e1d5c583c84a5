import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './builders';

/** The documentation a reader sees: README.md and the pages under docs/, as paths relative to the repository. */
export function documentationFiles(root: string = REPO_ROOT): string[] {
  const pages = readdirSync(join(root, 'docs'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `docs/${entry.name}`)
    .sort();
  return ['README.md', ...pages];
}

export interface MarkdownLine {
  readonly line: number;
  readonly text: string;
}

/** The lines outside fenced code blocks (``` or ~~~), with their 1-based numbers. */
export function proseLines(markdown: string): MarkdownLine[] {
  const lines: MarkdownLine[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker && marker[0] === fence[0] && marker.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(text)) fence = undefined;
    else if (fence === undefined) lines.push({ line: index + 1, text });
  });
  return lines;
}

/**
 * The anchor GitHub gives a heading (github-slugger, as github.com renders markdown): the heading's text without
 * its markdown (code spans, links, emphasis), lower case, every character that is not a letter, digit, mark,
 * connector (`_`), space or `-` dropped, spaces made `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*)(.+?)\1/g, '$2')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor of a markdown file: one per ATX heading, a repeated one numbered `-1`, `-2`, ... as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/**
 * The targets of inline links and images (`[text](target)`, `[text](<target> "title")`) and of reference
 * definitions (`[label]: target`) outside code blocks and code spans.
 */
export function links(markdown: string): MarkdownLink[] {
  return proseLines(markdown).flatMap(({ line, text }) => {
    const prose = text.replace(/(`+)[\s\S]*?\1/g, '');
    const inline = [...prose.matchAll(/\]\(\s*(?:<([^>]*)>|([^)\s]*))(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? m[2]);
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^>\s]+)>?/.exec(prose)?.[1];
    return [...inline, ...(definition ? [definition] : [])].map((target) => ({ line, target }));
  });
}
