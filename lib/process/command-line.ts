import { isAbsolute, relative, resolve } from 'node:path';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { clip, escapeControlCharacters, formatProblem, InputError } from './problem';
import { nearestNames } from '../input/nearest-name';

/** A mistake in how a command was called or in a file it was given: one line, exit 1, no stack trace. */
export class UserError extends Error {
  /**
   * @param message one line; what a file name or argument brings into it is shown escaped
   * @param usage the command's usage, printed on a line of its own after the message
   */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * The largest file a command reads: a saved plan of a few environments is well under a megabyte,
 * and reading stops here, so `/dev/zero` or a mistaken multi-gigabyte file ends in one line.
 */
const MAX_USER_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The text of a file a user named on the command line, read relative to `cwd`, as PowerShell and
 * Windows editors write it: UTF-8 with or without a byte order mark, or UTF-16 LE or BE (with a
 * byte order mark, or starting with ASCII as JSON does). Pipes (`<(terraform show -json plan)`) work.
 * @throws UserError naming the file as given: not found, a folder, unreadable or too large
 */
export function readUserFile(file: string, cwd = process.cwd()): string {
  return decodeText(readUserBytes(file, cwd));
}

/**
 * The bytes of a file a user named (on the command line or in an environment variable), read
 * relative to `cwd`, at most `limit` of them. Pipes and devices end at the limit too.
 * @throws UserError naming the file as given: not found, a folder, unreadable or too large
 */
export function readUserBytes(file: string, cwd = process.cwd(), limit = MAX_USER_FILE_BYTES): Buffer {
  let bytes: Buffer | undefined;
  try {
    bytes = readAtMost(resolve(cwd, file), limit);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: file not found`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, not a file`);
    throw new UserError(`${file}: cannot be read (${code ?? 'unknown error'})`);
  }
  if (bytes === undefined) throw new UserError(`${file}: is larger than ${sizeOf(limit)}, more than any file this tool reads`);
  return bytes;
}

function sizeOf(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

/** The file's bytes, or undefined when it holds more than `limit` (a regular file is not read then). */
function readAtMost(path: string, limit: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (stat.isFile() && stat.size > limit) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    // Up to one byte past the limit: a pipe or a device says its size only by going on.
    while (total <= limit) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
    }
    return total > limit ? undefined : Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  // Without a byte order mark, JSON starts with an ASCII character: a zero byte beside it tells UTF-16.
  if (bytes.length >= 2 && bytes[0] !== 0 && bytes[1] === 0) return bytes.toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] !== 0) return Buffer.from(bytes.subarray(0, bytes.length & ~1)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/** Output formats every report command accepts with `--format`. */
export const REPORT_FORMATS = ['text', 'markdown', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** `--format` as FORMAT_OPTION declares it (every report prints all three), text when not given. */
export function readFormat(value: string | undefined): ReportFormat {
  if (value === undefined) return 'text';
  if ((REPORT_FORMATS as readonly string[]).includes(value)) return value as ReportFormat;
  throw new UserError(`--format must be one of ${REPORT_FORMATS.join(', ')}; got "${clipped(value)}"`);
}

// ---------------------------------------------------------------------------------------------
// One grammar for every command: each declares its options, environment names and examples once,
// and this parser, its usage line and its --help are made from the declaration (a test reads every
// command's declaration and checks it against the rules below).
//
// - Environment names are positional: `npm run <command> -- [<environment>...]`.
// - A file a command writes is `--out <file>`; a printed report takes `--format text|markdown|json`.
// - Every mistake is one line, `error: ...`, lower case, naming the option, then the usage line.
// - An old spelling is read for one release, with one line on stderr naming the new spelling.

/** One option of a command. */
export type OptionGrammar =
  | {
      readonly type: 'string';
      /** How its value is written in the usage line and --help: `<file>`, `K/N`. */
      readonly value: string;
      /** One line for --help. */
      readonly help: string;
      /** Taken more than once, every value kept. @default false: given twice is a mistake */
      readonly multiple?: boolean;
      /** The only values allowed. @default any value but an empty one */
      readonly choices?: readonly string[];
      /** Must be given. @default false */
      readonly required?: boolean;
    }
  | { readonly type: 'boolean'; readonly help: string };

export type OptionsGrammar = Readonly<Record<string, OptionGrammar>>;

/** `--format` as every report command declares it. */
export const FORMAT_OPTION = {
  type: 'string',
  value: REPORT_FORMATS.join('|'),
  choices: REPORT_FORMATS,
  help: 'how the report is printed (default text; markdown for a pull request or job summary)',
} as const satisfies OptionGrammar;

/** What a deprecated option now is: another option, or the environment name given as it is. */
export const ENVIRONMENT_NAME = '<environment>';

/**
 * How a command is called, declared once (cli/<name>.ts exports it as `grammar`): its parser,
 * usage line and --help are made from it, and a test checks every command's against the rules above.
 */
export interface CommandGrammar<O extends OptionsGrammar = OptionsGrammar> {
  /** The npm script: `npm run <name>`. */
  readonly name: string;
  /** What the command does and its exit codes, the start of --help. */
  readonly description: string;
  /** The environment names it takes: `npm run <name> -- <environment>`. */
  readonly environments: 'none' | 'one' | 'at most one' | 'any';
  readonly options: O;
  /** Command lines to copy (what follows `npm run <name> --`), each with what it does; at least one. */
  readonly examples: readonly (readonly [args: string, does: string])[];
  /**
   * Old spellings, read until the next release with a line on stderr: the option each now is, or
   * ENVIRONMENT_NAME for one whose value is now given as an environment name.
   */
  readonly deprecated?: Readonly<Record<string, (keyof O & string) | typeof ENVIRONMENT_NAME>>;
  /**
   * The option a file given where environment names go (`doctor manifest.json`) was before files
   * became options; read as that option, with a deprecation line. A file is told from an
   * environment name by its "." or "/".
   */
  readonly formerlyPositional?: keyof O & string;
  /**
   * What the words after `--` are, for a command that passes them on (`<command> [<argument>...]`).
   * @default environment names, as before `--`
   */
  readonly afterDashes?: string;
  /** Rules across options the declarations cannot say (`--reviewed` goes with `--expect-digest`). @throws UserError */
  check?(line: CommandLine<O>): void;
}

type ValueOf<G extends OptionGrammar> = G extends { readonly type: 'boolean' } ? boolean : G extends { readonly multiple: true } ? readonly string[] : string;

/** The values of the options given; a required option is always there. */
export type OptionValues<O extends OptionsGrammar> = {
  readonly [K in keyof O as O[K] extends { readonly required: true } ? K : never]: ValueOf<NonNullable<O[K]>>;
} & { readonly [K in keyof O as O[K] extends { readonly required: true } ? never : K]?: ValueOf<NonNullable<O[K]>> };

/** A command line read by its command's grammar. */
export interface CommandLine<O extends OptionsGrammar> {
  readonly values: OptionValues<O>;
  /** The environment names, in the order given. */
  readonly environments: readonly string[];
  /** The words after `--`, when the grammar declares what they are (`afterDashes`). */
  readonly rest?: readonly string[];
}

/** Declares a command's grammar; the identity, there for the types. */
export function commandGrammar<const O extends OptionsGrammar>(grammar: CommandGrammar<O>): CommandGrammar<O> {
  return grammar;
}

/** Thrown for `--help` or `-h`: the command prints its help to stdout and exits 0. */
export class HelpRequest extends Error {
  constructor(readonly help: string) {
    super(help);
    this.name = 'HelpRequest';
  }
}

/** `npm run <name> -- <environment> --out <file> [--force]`, made from the grammar. */
export function usageOf<O extends OptionsGrammar>(grammar: CommandGrammar<O>): string {
  const environments = { none: [], one: [ENVIRONMENT_NAME], 'at most one': [`[${ENVIRONMENT_NAME}]`], any: [`[${ENVIRONMENT_NAME}...]`] }[grammar.environments];
  const options = Object.entries(grammar.options).map(([name, option]) => {
    const written = optionAsWritten(name, option);
    if (option.type === 'string' && option.required) return written;
    return option.type === 'string' && option.multiple ? `[${written}]...` : `[${written}]`;
  });
  const args = [...environments, ...options, ...(grammar.afterDashes === undefined ? [] : [`[-- ${grammar.afterDashes}]`])];
  return args.length === 0 ? `npm run ${grammar.name}` : `npm run ${grammar.name} -- ${args.join(' ')}`;
}

/** An option as its usage and help show it: `--force`, `--out <file>`. */
function optionAsWritten(name: string, option: OptionGrammar): string {
  return option.type === 'boolean' ? `--${name}` : `--${name} ${option.value}`;
}

/** A command line as it is typed: `npm run plan -- prod`, or `npm run plan` without arguments. */
export function commandOf<O extends OptionsGrammar>(grammar: CommandGrammar<O>, args: string): string {
  return args === '' ? `npm run ${grammar.name}` : `npm run ${grammar.name} -- ${args}`;
}

/** What `--help` prints: what the command does, its usage, its options and examples. */
export function helpOf<O extends OptionsGrammar>(grammar: CommandGrammar<O>): string {
  const rows: [string, string][] = [
    ...Object.entries(grammar.options).map(([name, option]): [string, string] => [
      optionAsWritten(name, option),
      option.type === 'string' && option.required ? `${option.help} (required)` : option.help,
    ]),
    ['--help', 'prints this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  const deprecated = Object.entries(grammar.deprecated ?? {}).map(([old, now]) => `--${old} (now ${now === ENVIRONMENT_NAME ? 'the environment name alone' : `--${now}`})`);
  if (grammar.formerlyPositional) deprecated.push(`a file before the options (now --${grammar.formerlyPositional} <file>)`);
  return [
    grammar.description,
    '',
    `usage: ${usageOf(grammar)}`,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'examples:',
    ...grammar.examples.flatMap(([args, does]) => [`  ${commandOf(grammar, args)}`, `      ${does}`]),
    ...(deprecated.length > 0 ? ['', `read until the next release: ${deprecated.join(', ')}`] : []),
    '',
  ].join('\n');
}

/**
 * Reads a command line by the command's grammar. `--help` or `-h` anywhere before `--` asks for the
 * help instead, whatever else was given. An old spelling is read as its new one, with a line on `stderr`.
 * @throws HelpRequest when help was asked for; UserError, carrying the usage, for anything the grammar refuses
 */
export function parseCommandLine<O extends OptionsGrammar>(
  argv: readonly string[],
  grammar: CommandGrammar<O>,
  stderr: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
): CommandLine<O> {
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequest(helpOf(grammar));
  const usage = usageOf(grammar);
  const fail = (message: string) => new UserError(message, usage);
  const deprecated = (old: string, now: string) =>
    writeWarning(stderr, `${old} is deprecated and goes in the next release; write ${now}`);
  const long = (end === -1 ? argv : argv.slice(0, end)).findIndex((arg) => arg.length > MAX_ARGUMENT_LENGTH);
  if (long !== -1) {
    const arg = argv[long];
    const previous = long > 0 ? /^--([^=]+)$/.exec(argv[long - 1])?.[1] : undefined;
    const takesValue = previous !== undefined && (Object.hasOwn(grammar.options, previous) ? grammar.options[previous].type === 'string' : Object.hasOwn(grammar.deprecated ?? {}, previous));
    const before = takesValue ? `--${previous}` : undefined;
    const what = arg.startsWith('--')
      ? arg.includes('=') ? `the value of ${clipped(arg.split('=')[0])}` : `the option ${clipped(arg)}`
      : before ? `the value of ${before}` : `argument ${long + 1}`;
    throw fail(`${what} is ${arg.length} characters long; nothing a command takes is longer than ${MAX_ARGUMENT_LENGTH} (a path, a name, a list of names)`);
  }
  const values: Record<string, string | boolean | string[]> = {};
  const writtenAs = new Map<string, string>();
  const positionals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (end !== -1 && i >= end) {
      if (i > end) (grammar.afterDashes === undefined ? positionals : rest).push(arg);
      continue;
    }
    const dash = LOOK_ALIKE_DASH.exec(arg);
    if (dash) {
      const option = arg.slice(dash[0].length).split('=')[0];
      throw fail(
        `${clipped(arg)}: starts with ${[...dash[0]].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}, not "--" (an editor or web page turned the hyphens into a dash); write --${clipped(option)}`,
      );
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const match = /^--([^=]+)(?:=([^]*))?$/.exec(arg);
    const written = match?.[1] ?? arg.replace(/^-+/, '');
    const renamed = match && grammar.deprecated && Object.hasOwn(grammar.deprecated, written) ? grammar.deprecated[written] : undefined;
    const name = renamed ?? written;
    if (!match || (renamed !== ENVIRONMENT_NAME && !Object.hasOwn(grammar.options, name))) {
      const near = nearestNames(written, Object.keys(grammar.options));
      throw fail(`unknown option ${clipped(arg.split('=')[0])}${near.length > 0 ? `; did you mean --${near[0]}?` : ''}`);
    }
    const option: OptionGrammar = renamed === ENVIRONMENT_NAME ? { type: 'string', value: ENVIRONMENT_NAME, help: '' } : grammar.options[name];
    const inline = match[2];
    if (option.type === 'boolean') {
      if (inline !== undefined) throw fail(`--${written} takes no value; write --${written} alone`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = end === i + 1 ? undefined : argv[i + 1];
      if (next === undefined) throw fail(`--${written} needs a value: --${written} ${option.value}`);
      if (next.startsWith('-') && next !== '-') throw fail(`--${written} needs a value; one that starts with "-" is written --${written}=<value>`);
      value = next;
      i++;
    }
    if (value === '') throw fail(`--${written} is empty; give ${option.value}`);
    if (renamed === ENVIRONMENT_NAME) {
      deprecated(`--${written} ${clipped(value)}`, `the environment name alone: ${clipped(value)}`);
      positionals.push(value);
      continue;
    }
    if (renamed !== undefined) deprecated(`--${written}`, `--${name} ${clipped(value)}`);
    if (option.choices && !option.choices.includes(value)) throw fail(`--${written} must be one of ${option.choices.join(', ')}; got "${clipped(value)}"`);
    if (option.multiple) {
      values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    } else if (values[name] !== undefined) {
      const first = writtenAs.get(name)!;
      throw fail(`--${written} is given twice${first === written ? '' : ` (once as --${first})`}; give it once`);
    } else {
      values[name] = value;
    }
    writtenAs.set(name, written);
  }
  const formerly = grammar.formerlyPositional;
  if (formerly !== undefined && values[formerly] === undefined && positionals.length > 0 && /[./\\]/.test(positionals[0])) {
    const file = positionals.shift()!;
    deprecated(`a file before the options (${clipped(file)})`, `--${formerly} ${clipped(file)}`);
    values[formerly] = file;
  }
  const environments = checkedEnvironments(positionals, grammar, fail);
  for (const [name, option] of Object.entries(grammar.options)) {
    if (option.type === 'string' && option.required && values[name] === undefined) throw fail(`--${name} ${option.value} is required`);
  }
  const line = { values: values as OptionValues<O>, environments, ...(grammar.afterDashes === undefined ? {} : { rest }) };
  try {
    grammar.check?.(line);
  } catch (error) {
    // A mistake in how the command was called: the usage follows it, as after the parser's own.
    if (error instanceof UserError && error.usage === undefined) throw fail(error.message);
    throw error;
  }
  return line;
}

/** What a user typed, as a message shows it: at most this long, so that a megabyte argument is one short line. */
const MAX_SHOWN = 80;

/**
 * The longest argument any command takes: a path (PATH_MAX is 4096 on Linux), a name, a digest, a
 * list of names. A longer one is refused before anything reads it, so no message quotes it whole.
 */
const MAX_ARGUMENT_LENGTH = 4096;

/**
 * Dashes and minus signs that look like "-": a word processor, a chat or a web page turns `--format` into
 * `—format` or `–format`, which would otherwise be read as an environment name. No environment name
 * starts with one.
 */
const LOOK_ALIKE_DASH = /^[\u2010-\u2015\u2212\ufe58\ufe63\uff0d][-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]?(?=[A-Za-z])/;

/** A value the user gave, as a message quotes it: cut to a short line (escape it where it is printed). */
export function clipped(text: string): string {
  return clip(text, MAX_SHOWN);
}

/**
 * What follows a list of names one of which reads as an option's value (`json`, `plan.json`), when npm
 * ran the command: `npm run plan --format json prod` keeps `--format` for npm and runs plan with
 * `json prod`. Empty otherwise.
 */
export function optionsBeforeDashes(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const command = env.npm_lifecycle_event;
  // One of this project's scripts (npm run plan), not npm test running jest, which runs commands too.
  if (command === undefined || !/^[a-z][a-z0-9:-]{0,40}$/.test(command) || !/\bregister-ts\.js\b/.test(env.npm_lifecycle_script ?? '')) return '';
  const value = names.find((name) => (REPORT_FORMATS as readonly string[]).includes(name) || /^[\w./\\:-]{1,80}$/.test(name) && /[./\\]/.test(name) && !/\.ts$/i.test(name));
  if (value === undefined) return '';
  const option = (REPORT_FORMATS as readonly string[]).includes(value) ? `--format ${value}` : `--<option> ${value}`;
  return `; options go after "--" (npm run ${command} -- ${option}): npm keeps those written before it and passes on only their values`;
}

function checkedEnvironments<O extends OptionsGrammar>(names: readonly string[], grammar: CommandGrammar<O>, fail: (message: string) => UserError): readonly string[] {
  const empty = names.findIndex((name) => name === '');
  if (empty !== -1) throw fail(`an environment name is empty (argument ${empty + 1} of the names); give the name of an environments/<name>.ts`);
  const many = clipped(names.join(', '));
  const swallowed = optionsBeforeDashes(names);
  switch (grammar.environments) {
    case 'none':
      if (names.length > 0) {
        const passOn = grammar.afterDashes === undefined ? swallowed : `; ${grammar.afterDashes} goes after "--" (npm run ${grammar.name} -- -- ${grammar.afterDashes})`;
        throw fail(`${grammar.name} takes no environment names; got ${many}${passOn}`);
      }
      break;
    case 'one':
      if (names.length !== 1) throw fail(names.length === 0 ? 'name the environment' : `name one environment; got ${many}${swallowed}`);
      break;
    case 'at most one':
      if (names.length > 1) throw fail(`name at most one environment; got ${many}${swallowed}`);
      break;
    case 'any':
      break;
  }
  return names;
}

/**
 * One syntax for `--outputs` in every command: `[<environment>=]<file>`, a saved
 * `terraform output -json`. The environment may be left out when the command is about one.
 */
export function readOutputsOption(value: string): { readonly environment?: string; readonly file: string } {
  // An environment name is a stack name; anything else before "=" is part of a path (./a=b.json).
  const match = /^([A-Za-z0-9][A-Za-z0-9_-]{0,62})=(.*)$/.exec(value);
  if (!match) return { file: value };
  if (match[2] === '') throw new UserError(`--outputs ${value}: give the file after "=": --outputs ${match[1]}=<terraform output -json file>`);
  return { environment: match[1], file: match[2] };
}

/**
 * `--outputs [<environment>=]<file>`, repeated, as a map from environment to the file, as `path`
 * makes it of what was typed; the name may be left out when exactly one environment is named.
 * @throws UserError for an entry that names no environment, or one given twice
 */
export function readOutputsFiles(values: readonly string[], named: readonly string[], path: (typed: string) => string, usage: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const value of values) {
    const { environment = named.length === 1 ? named[0] : undefined, file } = readOutputsOption(value);
    if (environment === undefined) throw new UserError(`--outputs ${value}: say which environment: --outputs <environment>=<file>`, usage);
    if (files.has(environment)) throw new UserError(`--outputs: ${environment} is given twice; give one file per environment`);
    files.set(environment, path(file));
  }
  return files;
}

/**
 * Runs a command's body when its file is the program node was started with (`cli/<name>.ts`), and
 * not when something imports the file for its grammar, and turns the body's outcome into an exit
 * code: its own code on success, 1 with a short message for user mistakes. Anything else is a bug
 * and keeps its stack trace.
 * @param command the command file's `module`
 */
export async function runCommand(command: NodeModule, body: (argv: string[]) => number | Promise<number>): Promise<void> {
  if (require.main !== command) return;
  try {
    process.exitCode = await body(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequest) {
      process.stdout.write(error.help);
      process.exitCode = 0;
      return;
    }
    if (error instanceof InputError) {
      for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      process.stderr.write(`error: ${error.problems.length} problem(s) in the environment files\n`);
    } else if (error instanceof UserError) {
      // A line break in a file name or argument must not start a line of its own: a CI log reads
      // "::error::" there as a command.
      process.stderr.write(`error: ${escapeControlCharacters(error.message)}\n${error.usage === undefined ? '' : `usage: ${error.usage}\n`}`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  }
}

export interface Colors {
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

/** One `warning: ...` line, its text escaped: it may quote what the user typed. */
export function writeWarning(stream: { write(text: string): unknown; isTTY?: boolean }, text: string): void {
  stream.write(`${colorsFor(stream).yellow('warning')}: ${escapeControlCharacters(text)}\n`);
}

/** ANSI colours when writing to a terminal (and NO_COLOR is unset), plain text otherwise. */
export function colorsFor(stream: { isTTY?: boolean }): Colors {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: wrap(31), yellow: wrap(33), green: wrap(32), bold: wrap(1), dim: wrap(2) };
}

/** Left-aligned columns separated by two spaces, for terminal tables. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * A path the user typed, relative to where they ran npm (`npm run` moves into the project root and
 * leaves the original folder in INIT_CWD), as the project-relative path commands take and show;
 * absolute when it lies outside the project.
 */
export function userPath(projectRoot: string, typed: string, typedIn = process.env.INIT_CWD ?? process.cwd()): string {
  const absolute = resolve(typedIn, typed);
  const inProject = relative(projectRoot, absolute);
  return inProject.startsWith('..') || isAbsolute(inProject) ? absolute : inProject;
}
