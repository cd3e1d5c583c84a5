import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelpRequest, parseCommandLine, type CommandGrammar } from '../lib/process/command-line';
import { REPO_ROOT } from './support/builders';
import { declaredCommands, NPM_SCRIPTS } from './support/commands';
import { codeLines, documentationFiles, proseLines } from './support/markdown';

const GRAMMARS = new Map(declaredCommands().map(({ name, grammar }) => [name, grammar]));

/** Where a shell command line ends: a comment, a redirection, a pipe, the next command. */
const END_OF_COMMAND = /^(#.*|&&|\|\||;|\||\\|[0-9]?>.*|<\(.*)$/;
/** A word that stands for something rather than being it: `<file>`, `[--env E]`, `K/N...`, `4f1c…e07a`, `"$ENVIRONMENT"`. */
const PLACEHOLDER = /[<>[\]…|$"'(){}]|\.\.\./;

/**
 * Every `npm run <command> ...` of a markdown text, in its code blocks and in code spans of its prose, with what is
 * wrong with it: a command package.json does not have, an option its grammar does not declare or spells the old way,
 * a --format value it does not print, or (for a line written out in full, without placeholders, and not a bare
 * `npm run <command>` in prose, which names the command) anything its parser refuses or warns about.
 */
export function commandMistakes(markdown: string, grammars: ReadonlyMap<string, CommandGrammar>, scripts: Readonly<Record<string, string>>): string[] {
  const inCode = codeLines(markdown).map(({ line, text }) => ({ line, text, span: false }));
  // A table cell writes "|" as "\|", in code spans too.
  const inSpans = proseLines(markdown).flatMap(({ line, text }) => [...text.matchAll(/(`+)(.+?)\1/g)].map((span) => ({ line, text: span[2].replace(/\\\|/g, '|'), span: true })));
  return [...inCode, ...inSpans].flatMap(({ line, text, span }) =>
    [...text.matchAll(/\bnpm run\b/g)].flatMap((match) => {
      const words = text.slice(match.index! + match[0].length).split(/\s+/).filter((word) => word !== '');
      const end = words.findIndex((word) => END_OF_COMMAND.test(word));
      const command = end === -1 ? words : words.slice(0, end);
      while (/^-/.test(command[0] ?? '') && command[0] !== '--') command.shift(); // npm's own --silent
      const [name, separator, ...args] = command;
      const shown = `${line}: npm run ${command.join(' ')}`;
      if (name === undefined || /^<.*>$/.test(name)) return []; // `npm run <command>` stands for any
      if (!Object.hasOwn(scripts, name)) return [`${shown}: package.json has no script ${name}`];
      const grammar = grammars.get(name);
      // npm's own scripts (typecheck, build) and aliases (bench:cdktn) declare no grammar.
      if (grammar === undefined) return [];
      if (separator !== undefined && separator !== '--') return [`${shown}: arguments go after "--": npm run ${name} -- ${[separator, ...args].join(' ')}`];
      // Prose names a command as `npm run doctor`; a code block's line is one to run as it stands.
      if (span && separator === undefined) return [];
      return mistakesOf(shown, args, grammar);
    }),
  );
}

function mistakesOf(shown: string, args: readonly string[], grammar: CommandGrammar): string[] {
  const mistakes: string[] = [];
  args.forEach((word, i) => {
    const option = /^\[?--([a-z][a-z0-9-]*)/.exec(word)?.[1];
    if (option === undefined) return;
    if (grammar.deprecated && Object.hasOwn(grammar.deprecated, option)) mistakes.push(`${shown}: --${option} is an old spelling; the docs show the new one (npm run ${grammar.name} -- --help)`);
    else if (!Object.hasOwn(grammar.options, option)) mistakes.push(`${shown}: ${grammar.name} has no option --${option}`);
    const declared = grammar.options[option];
    const value = word.includes('=') ? word.slice(word.indexOf('=') + 1) : args[i + 1];
    if (declared?.type === 'string' && declared.choices && value !== undefined && !/^\[?</.test(value)) {
      for (const choice of value.replace(/[[\]]/g, '').split('|')) {
        if (!declared.choices.includes(choice)) mistakes.push(`${shown}: --${option} takes ${declared.choices.join(', ')}, not ${choice}`);
      }
    }
  });
  if (mistakes.length > 0 || args.some((word) => PLACEHOLDER.test(word))) return mistakes;
  let stderr = '';
  try {
    parseCommandLine(args, grammar, { write: (text: string) => (stderr += text) });
  } catch (error) {
    if (!(error instanceof HelpRequest)) return [`${shown}: ${(error as Error).message}`];
  }
  return stderr === '' ? [] : [`${shown}: ${stderr.trim()}`];
}

describe('every npm run line of the documentation', () => {
  test.each(documentationFiles())('in %s is a command as it is: its options declared, written the current way', (file) => {
    expect(commandMistakes(readFileSync(join(REPO_ROOT, file), 'utf8'), GRAMMARS, NPM_SCRIPTS)).toEqual([]);
  });

  test('is found in code blocks and code spans, and what is wrong with it is said', () => {
    const page = [
      'Run `npm run plna -- prod` or `npm run plan -- prod --colour` first; `npm run manifest` (`npm run environments -- --format text\\|json`) is named.',
      '```sh',
      'npm ci && npm run synth    # the stacks',
      'npm run --silent plan -- "$ENVIRONMENT" --format markdown --json-out report.json > report.md 2> errors.log',
      'npm run drift -- --plan-json plan.json --env prod',
      'npm run certs -- prod --format html',
      'npm run doctor -- --manifest m.json [--format text|yaml]',
      'npm run manifest -- prod test',
      'npm run tenants prod',
      'npm run typecheck',
      '```',
    ].join('\n');
    expect(commandMistakes(page, GRAMMARS, NPM_SCRIPTS)).toEqual([
      '4: npm run plan -- "$ENVIRONMENT" --format markdown --json-out report.json: --json-out is an old spelling; the docs show the new one (npm run plan -- --help)',
      '5: npm run drift -- --plan-json plan.json --env prod: --env is an old spelling; the docs show the new one (npm run drift -- --help)',
      '6: npm run certs -- prod --format html: --format takes text, markdown, json, not html',
      '7: npm run doctor -- --manifest m.json [--format text|yaml]: --format takes text, markdown, json, not yaml',
      '8: npm run manifest -- prod test: name one environment; got prod, test',
      '9: npm run tenants prod: arguments go after "--": npm run tenants -- prod',
      '1: npm run plna -- prod: package.json has no script plna',
      '1: npm run plan -- prod --colour: plan has no option --colour',
    ]);
  });
});
