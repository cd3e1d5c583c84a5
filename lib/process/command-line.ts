import { isAbsolute, relative, resolve } from 'node:path';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeControlCharacters, formatProblem, InputError } from './problem';

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

/** `--format`, text when not given; `allowed` narrows the formats for a command that prints fewer. */
export function readFormat(value: string | undefined, allowed: readonly ReportFormat[] = REPORT_FORMATS): ReportFormat {
  if (value === undefined) return 'text';
  if ((allowed as readonly string[]).includes(value)) return value as ReportFormat;
  throw new UserError(`--format must be one of ${allowed.join(', ')}; got "${value}"`);
}

/** Thrown for `--help` or `-h`: the command prints its help to stdout and exits 0. */
export class HelpRequest extends Error {
  constructor(readonly help: string) {
    super(help);
    this.name = 'HelpRequest';
  }
}

/** What `--help` prints: what the command does, then its usage line. */
function helpText(usage: string, description: string): string {
  return `${description}\n\nusage: ${usage}\n`;
}

/**
 * `util.parseArgs`, with its errors turned into one-line usage errors. `--help` or `-h` anywhere
 * before `--` asks for the help instead, whatever else was given.
 * @throws HelpRequest when help was asked for; UserError naming the unknown option or argument
 */
export function parseCommandLine<T extends ParseArgsConfig>(argv: readonly string[], config: T, usage: string, description: string) {
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequest(helpText(usage, description));
  try {
    return parseArgs({ ...config, args: [...argv], strict: true });
  } catch (error) {
    // Node's hint about "--" for positionals that start with "-" never applies to these commands, and
    // its three lines for an option followed by "-..." say one thing.
    const message = (error as Error).message
      .replace(/\. To specify a positional argument starting with a '-'.*$/s, '')
      .replace(/^Option '([^']+)' argument is ambiguous\..*$/s, (_, option: string) => `Option '${option}' needs a value; one that starts with "-" is written ${option.split(' ')[0]}=<value>`)
      .replace(/\s*\n\s*/g, ' ');
    throw new UserError(message, usage);
  }
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
    if (environment === undefined) throw new UserError(`--outputs ${value}: say which environment: --outputs <env>=<file>`, usage);
    if (files.has(environment)) throw new UserError(`--outputs: ${environment} is given twice; give one file per environment`);
    files.set(environment, path(file));
  }
  return files;
}

/**
 * Runs a command's body and turns its outcome into an exit code: the body's own code on success,
 * 1 with a short message for user mistakes. Anything else is a bug and keeps its stack trace.
 */
export async function runCommand(body: (argv: string[]) => number | Promise<number>): Promise<void> {
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
