import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  commandGrammar,
  commandOf,
  ENVIRONMENT_NAME,
  HelpRequest,
  helpOf,
  parseCommandLine,
  readOutputsOption,
  REPORT_FORMATS,
  usageOf,
  UserError,
  type CommandGrammar,
  type CommandLine,
  type OptionsGrammar,
} from '../lib/process/command-line';
import { REPO_ROOT } from './support/builders';
import { declaredCommands, NPM_SCRIPTS } from './support/commands';
import { setEnvironment } from './support/clean-up';
import { PROCESS_TIMEOUT } from './support/timeouts';

const COMMANDS = declaredCommands();

/** What a command line does to the grammar: what it reads, what it prints to stderr, or what it refuses. */
function parse<O extends OptionsGrammar>(grammar: CommandGrammar<O>, args: readonly string[]): { line?: CommandLine<O>; stderr: string; error?: unknown } {
  let stderr = '';
  try {
    const line = parseCommandLine(args, grammar, { write: (text: string) => (stderr += text) });
    return { line, stderr };
  } catch (error) {
    return { stderr, error };
  }
}

const words = (args: string) => args.split(' ').filter((word) => word !== '');

/** Option names that say what the grammar says otherwise: environments are named, files written are --out. */
const OTHER_SPELLINGS = /^(env|environment|environments|name|stack|json-out|output|output-file|out-file|outfile|file|dest|destination|write|save)$|-out$|^out-/;

describe('every command', () => {
  test('is an npm script: every cli/*.ts, synth (main.ts), bench and the developer tools', () => {
    const cli = readdirSync(join(REPO_ROOT, 'cli')).filter((file) => file.endsWith('.ts')).map((file) => `cli/${file}`);
    expect(COMMANDS.map(({ file }) => file)).toEqual(expect.arrayContaining([...cli, 'main.ts', 'bench/run.ts']));
    expect(COMMANDS.find(({ file }) => file === 'main.ts')?.name).toBe('synth');
  });

  test('run by an npm script with arguments (bench:cdktn), takes them as its grammar says, and what npm adds after them', () => {
    const withArguments = Object.entries(NPM_SCRIPTS).flatMap(([name, script]) => {
      const [, file, args] = /^node --require \.\/bin\/register-ts\.js (\S+\.ts) (.+)$/.exec(script) ?? [];
      return file === undefined ? [] : [{ name, args: `${args} --only synth`, grammar: COMMANDS.find((command) => command.file === file)!.grammar }];
    });
    expect(withArguments.map(({ name }) => name)).toContain('bench:cdktn');
    for (const { name, args, grammar } of withArguments) {
      expect({ name, ...parse(grammar, words(args)) }).toEqual({ name, line: expect.anything(), stderr: '' });
    }
    const benchOnCdktn = withArguments.find(({ name }) => name === 'bench:cdktn')!;
    expect(parse(benchOnCdktn.grammar, words(benchOnCdktn.args)).line?.rest).toEqual(['npm', 'run', 'bench', '--', '--only', 'synth']);
  });

  // A process per command, side by side: the one check that the file's command reads its declared grammar.
  let helpRuns: Promise<{ code: number; stdout: string; stderr: string }[]>;
  beforeAll(() => {
    helpRuns = Promise.all(COMMANDS.map(({ file }) => run(file, ['--help'])));
  });

  describe.each(COMMANDS)('npm run $name', ({ name, file, grammar }) => {
    test('declares its grammar under its own name, with what it does and an example at least', () => {
      expect(grammar.name).toBe(name);
      expect(grammar.description).toMatch(/^[A-Z].*\S$/s);
      expect(grammar.description).toMatch(/Exit code/);
      expect(grammar.examples.length).toBeGreaterThan(0);
    });

    test('answers --help (anywhere, whatever else is given) with what it does, its usage, options and examples', () => {
      const help = helpOf(grammar);
      for (const args of [['--help'], ['-h'], ['prod', '--no-such-option', '--help']]) expect(parse(grammar, args).error).toEqual(new HelpRequest(help));
      expect(help.startsWith(`${grammar.description}\n\nusage: ${usageOf(grammar)}\n\noptions:\n`)).toBe(true);
      for (const option of Object.keys(grammar.options)) expect(help).toMatch(new RegExp(`^  --${option}\\b`, 'm'));
      for (const [args] of grammar.examples) expect(help).toContain(`\n  ${commandOf(grammar, args)}\n`);
    });

    test('as a process, prints that help on stdout and exits 0', async () => {
      const result = (await helpRuns)[COMMANDS.findIndex((command) => command.file === file)];
      expect(result).toEqual({ code: 0, stdout: helpOf(grammar), stderr: '' });
    }, PROCESS_TIMEOUT);

    test('names environments as positionals written <environment>, and nothing else positional', () => {
      const usage = usageOf(grammar);
      const expected = { none: '', one: ' <environment>', 'at most one': ' [<environment>]', any: ' [<environment>...]' }[grammar.environments];
      expect(usage.startsWith(`npm run ${name}${usage === `npm run ${name}` ? '' : ` --${expected}`}`)).toBe(true);
      expect(helpOf(grammar)).not.toMatch(/<env>|<env=|<environment name>|<stack>/);
    });

    test('spells its options as every command does: --out for a file written, --format text|markdown|json for a report', () => {
      for (const [option, declared] of Object.entries(grammar.options)) {
        expect(option).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(option).not.toMatch(OTHER_SPELLINGS);
        expect(declared.help).toMatch(/^[a-z`$(]/);
        expect(declared.help).not.toMatch(/\n/);
        if (declared.type === 'string') expect(declared.value).toMatch(/^(\[?<[^>]+>.*|[a-z0-9]+(\|[a-z0-9]+)+)$/);
      }
      const format = grammar.options.format;
      if (format !== undefined) expect(format).toMatchObject({ type: 'string', choices: REPORT_FORMATS });
      for (const [old, now] of Object.entries(grammar.deprecated ?? {})) {
        expect(grammar.options[old]).toBeUndefined();
        expect(now === ENVIRONMENT_NAME || grammar.options[now] !== undefined).toBe(true);
      }
    });

    test('takes each of its examples as written, without a deprecation', () => {
      for (const [args, does] of grammar.examples) {
        expect(args).not.toMatch(/['"$\\<>]/);
        expect(does).toMatch(/^[a-z0-9]/i);
        expect({ args, ...parse(grammar, words(args)) }).toEqual({ args, line: expect.anything(), stderr: '' });
      }
    });

    test('refuses a mistake in one lower-case line naming the option, with its usage after it', () => {
      const mistakes: [args: string[], says: RegExp][] = [[['--no-such-option'], /^unknown option --no-such-option$/]];
      for (const [option, declared] of Object.entries(grammar.options)) {
        if (declared.type === 'boolean') {
          mistakes.push([[`--${option}=yes`], new RegExp(`^--${option} takes no value`)]);
          continue;
        }
        mistakes.push([[`--${option}`], new RegExp(`^--${option} needs a value`)]);
        mistakes.push([[`--${option}`, ''], new RegExp(`^--${option} is empty`)]);
        mistakes.push([[`--${option}=`], new RegExp(`^--${option} is empty`)]);
        const value = declared.choices?.[0] ?? 'a.x';
        if (!declared.multiple) mistakes.push([[`--${option}=${value}`, `--${option}=${value}`], new RegExp(`^--${option} is given twice`)]);
        if (declared.choices) mistakes.push([[`--${option}`, 'html'], new RegExp(`^--${option} must be one of ${declared.choices.join(', ')}; got "html"$`)]);
        // Refused before the command's own readers (--parallel, --client-id, --tenant) could quote it whole.
        mistakes.push([[`--${option}`, 'x'.repeat(100_000)], new RegExp(`^the value of --${option} is 100000 characters long; nothing a command takes is longer than 4096`)]);
        // Copied from a page that made "--" a dash, it would be read as an environment name.
        mistakes.push([[`\u2014${option}`, 'x'], new RegExp(`^\u2014${option}: starts with U\\+2014, not "--" .*; write --${option}$`)]);
      }
      mistakes.push([['x'.repeat(100_000)], /^argument 1 is 100000 characters long/]);
      for (const [old] of Object.entries(grammar.deprecated ?? {})) mistakes.push([[`--${old}`, ''], new RegExp(`^--${old} is empty`)]);
      mistakes.push([[''], /^an environment name is empty/]);
      if (grammar.environments === 'none') mistakes.push([['prod'], new RegExp(`^${name} takes no environment names; got prod(;.*)?$`)]);
      if (grammar.environments === 'one') mistakes.push([[], /^name the environment$/], [['prod', 'test'], /^name one environment; got prod, test$/]);
      if (grammar.environments === 'at most one') mistakes.push([['prod', 'test'], /^name at most one environment; got prod, test$/]);
      for (const [args, says] of mistakes) {
        const { error } = parse(grammar, args);
        expect({ args, error }).toEqual({ args, error: expect.any(UserError) });
        expect({ args, message: (error as UserError).message, usage: (error as UserError).usage }).toEqual({
          args,
          message: expect.stringMatching(says),
          usage: usageOf(grammar),
        });
      }
    });

    test('reads its old spellings until the next release, each with one line on stderr naming the new one', () => {
      const lines = grammar.examples.map(([args]) => words(args));
      for (const [old, now] of Object.entries(grammar.deprecated ?? {})) {
        // An example written the new way, and the same written the old way.
        const [current, former] =
          now === ENVIRONMENT_NAME
            ? respelled(lines, (args) => parse(grammar, args).line?.environments.length === 1, (args, i) => args.indexOf(parse(grammar, args).line!.environments[0]) === i, (value) => [`--${old}`, value])
            : respelled(lines, (args) => args.includes(`--${now}`), (args, i) => args[i] === `--${now}`, (value) => [`--${old}`, value], 2);
        const { line, stderr } = parse(grammar, former);
        expect(line).toEqual(parse(grammar, current).line);
        expect(stderr).toMatch(new RegExp(`^warning: --${old} .*deprecated.*; write ${now === ENVIRONMENT_NAME ? 'the environment name alone:' : `--${now}`} [^\\n]+\\n$`));
      }
      if (grammar.formerlyPositional !== undefined) {
        const option = `--${grammar.formerlyPositional}`;
        const current = lines.find((args) => args.includes(option))!;
        const at = current.indexOf(option);
        const former = [current[at + 1], ...current.filter((_, i) => i !== at && i !== at + 1)];
        const { line, stderr } = parse(grammar, former);
        expect(line).toEqual(parse(grammar, current).line);
        expect(stderr).toMatch(new RegExp(`^warning: a file before the options .*deprecated.*; write ${option} ${current[at + 1]}\\n$`));
      }
    });
  });
});

describe.each(COMMANDS.filter(({ grammar }) => grammar.environments !== 'any' && grammar.afterDashes === undefined))('npm run $name, options written before "--"', ({ name, grammar }) => {
  test('say that npm kept the option and passed on its value as a name', () => {
    setEnvironment({ npm_lifecycle_event: name, npm_lifecycle_script: `node --require ./bin/register-ts.js cli/${name}.ts` });
    // npm run <command> prod --out report.json: npm keeps --out and passes on "prod report.json".
    const { error } = parse(grammar, grammar.environments === 'none' ? ['report.json'] : ['prod', 'report.json']);
    expect((error as UserError).message).toMatch(
      new RegExp(`; options go after "--" \\(npm run ${name} -- --<option> report\\.json\\): npm keeps those written before it and passes on only their values$`),
    );
  });
});

/**
 * The first example `fits`, and the same with the words at `at` (one, or an option and its value)
 * written as `old` spells them: moved to the end, since an old option is read wherever it stands.
 */
function respelled(
  examples: readonly string[][],
  fits: (args: string[]) => boolean,
  at: (args: string[], i: number) => boolean,
  old: (value: string) => string[],
  length = 1,
): [string[], string[]] {
  const current = examples.find(fits);
  if (!current) throw new Error('give an example the old spelling can be checked against');
  const i = current.findIndex((_, index) => at(current, index));
  const value = current[i + length - 1];
  return [current, [...current.slice(0, i), ...current.slice(i + length), ...old(value)]];
}

/** Runs a command as `npm run <name> -- <args>` does; --help reads no environment. */
function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', './bin/register-ts.js', file, ...args],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('the command line', () => {
  const grammar = commandGrammar({
    name: 'x',
    description: 'Does x. Exit code: 0.',
    environments: 'any',
    options: {
      out: { type: 'string', value: '<file>', help: 'where x goes' },
      manifest: { type: 'string', value: '<file>', help: 'what x reads' },
      format: { type: 'string', value: 'text|json', choices: ['text', 'json'], help: 'how x is printed' },
      tag: { type: 'string', value: '<tag>', multiple: true, help: 'a tag' },
      force: { type: 'boolean', help: 'replaces' },
    },
    deprecated: { 'json-out': 'out', env: ENVIRONMENT_NAME },
    formerlyPositional: 'manifest',
    examples: [['prod', 'x of prod']],
  });
  const read = (args: string[]) => parse(grammar, args);

  test('-h and --help ask for the help wherever they stand, but not after "--"', () => {
    expect(read(['prod', '-h']).error).toEqual(new HelpRequest(helpOf(grammar)));
    expect(read(['--help', '--bogus']).error).toBeInstanceOf(HelpRequest);
    expect(read(['--', '--help']).line?.environments).toEqual(['--help']);
  });

  test('the help shows the usage, each option, the examples and the old spellings', () => {
    expect(helpOf(grammar)).toBe(
      [
        'Does x. Exit code: 0.',
        '',
        'usage: npm run x -- [<environment>...] [--out <file>] [--manifest <file>] [--format text|json] [--tag <tag>]... [--force]',
        '',
        'options:',
        '  --out <file>        where x goes',
        '  --manifest <file>   what x reads',
        '  --format text|json  how x is printed',
        '  --tag <tag>         a tag',
        '  --force             replaces',
        '  --help              prints this help',
        '',
        'examples:',
        '  npm run x -- prod',
        '      x of prod',
        '',
        'read until the next release: --json-out (now --out), --env (now the environment name alone), a file before the options (now --manifest <file>)',
        '',
      ].join('\n'),
    );
  });

  test('options take their value after a space or "=", in any order among the environment names', () => {
    expect(read(['prod', '--out', 'a.json', 'test', '--format=json', '--tag', 'a', '--tag=b', '--force']).line).toEqual({
      values: { out: 'a.json', format: 'json', tag: ['a', 'b'], force: true },
      environments: ['prod', 'test'],
    });
  });

  test('a value that starts with "-" is written with "=", and "--" ends the options', () => {
    expect(read(['--out', '-x']).error).toEqual(new UserError('--out needs a value; one that starts with "-" is written --out=<value>'));
    expect(read(['--out=-x']).line?.values).toEqual({ out: '-x' });
    expect(read(['--out', '--', 'prod']).error).toEqual(new UserError('--out needs a value: --out <file>'));
    expect(read(['--', '--out']).line).toEqual({ values: {}, environments: ['--out'] });
  });

  test('an unknown option is refused in our words, with the nearest option when one is close', () => {
    expect(read(['--outt', 'a']).error).toEqual(new UserError('unknown option --outt; did you mean --out?'));
    expect(read(['--bogus=1']).error).toEqual(new UserError('unknown option --bogus'));
    expect(read(['-x']).error).toEqual(new UserError('unknown option -x'));
    expect(read(['--constructor']).error).toEqual(new UserError('unknown option --constructor'));
  });

  test('what a huge argument brings into a message is cut short', () => {
    const long = 'x'.repeat(4000);
    expect(read([`--${long}`]).error).toEqual(new UserError(`unknown option --${'x'.repeat(75)}...`));
    expect(read(['--format', long]).error).toEqual(new UserError(`--format must be one of text, json; got "${'x'.repeat(77)}..."`));
    expect(read(['--json-out', long]).stderr).toBe(`warning: --json-out is deprecated and goes in the next release; write --out ${'x'.repeat(77)}...\n`);
    // Longer than any path or name: refused before anything reads it.
    const huge = 'x'.repeat(1_000_000);
    const tooLong = 'is 1000000 characters long; nothing a command takes is longer than 4096 (a path, a name, a list of names)';
    expect(read([`--${huge}`]).error).toEqual(new UserError(`the option --${'x'.repeat(75)}... ${tooLong.replace('1000000', '1000002')}`));
    expect(read([`--out=${huge}`]).error).toEqual(new UserError(`the value of --out ${tooLong.replace('1000000', '1000006')}`));
    expect(read(['--json-out', huge]).error).toEqual(new UserError(`the value of --json-out ${tooLong}`));
    expect(read(['--force', huge]).error).toEqual(new UserError(`argument 2 ${tooLong}`));
    expect(read(['--', huge]).line?.environments).toEqual([huge]);
  });

  test('a dash where "--" should be is refused, naming the option it would be, and only before "--"', () => {
    expect(read(['prod', '\u2013\u2013format', 'json']).error).toEqual(new UserError('\u2013\u2013format: starts with U+2013 U+2013, not "--" (an editor or web page turned the hyphens into a dash); write --format'));
    expect(read(['\u2212out=a.json']).error).toEqual(new UserError('\u2212out=a.json: starts with U+2212, not "--" (an editor or web page turned the hyphens into a dash); write --out'));
    expect(read(['--out', 'a', '--', '\u2014x']).line?.environments).toEqual(['\u2014x']);
  });

  test('an empty value is refused, not read as if the option were not given', () => {
    expect(read(['--out', '']).error).toEqual(new UserError('--out is empty; give <file>'));
    expect(read(['--env', '']).error).toEqual(new UserError('--env is empty; give <environment>'));
    expect(read(['prod', '']).error).toEqual(new UserError('an environment name is empty (argument 2 of the names); give the name of an environments/<name>.ts'));
  });

  test('an option given twice is refused, whichever of its spellings each time, unless it takes several', () => {
    expect(read(['--out', 'a', '--out', 'b']).error).toEqual(new UserError('--out is given twice; give it once'));
    expect(read(['--out', 'a', '--json-out', 'b']).error).toEqual(new UserError('--json-out is given twice (once as --out); give it once'));
  });

  test('an old spelling is read as the new one, with a line on stderr, its control characters escaped', () => {
    expect(read(['--json-out', 'r.json', '--env', 'prod'])).toEqual({
      line: { values: { out: 'r.json' }, environments: ['prod'] },
      stderr: [
        'warning: --json-out is deprecated and goes in the next release; write --out r.json',
        'warning: --env prod is deprecated and goes in the next release; write the environment name alone: prod',
        '',
      ].join('\n'),
    });
    expect(read(['--json-out', 'a\n::error::b']).stderr).toBe('warning: --json-out is deprecated and goes in the next release; write --out a\\u000a::error::b\n');
  });

  test('a file where environment names go is read as the option it now is, but only when it looks like a file and that option is not given', () => {
    expect(read(['downloaded.json', 'prod'])).toEqual({
      line: { values: { manifest: 'downloaded.json' }, environments: ['prod'] },
      stderr: 'warning: a file before the options (downloaded.json) is deprecated and goes in the next release; write --manifest downloaded.json\n',
    });
    expect(read(['prod']).line).toEqual({ values: {}, environments: ['prod'] });
    expect(read(['--manifest', 'm.json', 'x.json']).line).toEqual({ values: { manifest: 'm.json' }, environments: ['x.json'] });
  });

  test('a required option and the rules across options are checked after the names', () => {
    const strict = commandGrammar({
      name: 'y',
      description: 'Does y. Exit code: 0.',
      environments: 'one',
      options: { out: { type: 'string', value: '<file>', required: true, help: 'where y goes' }, force: { type: 'boolean', help: 'replaces' } },
      examples: [['prod --out y.txt', 'y of prod']],
      check: ({ values }) => {
        if (values.force && values.out.endsWith('.keep')) throw new UserError('--force does not replace a .keep file');
      },
    });
    expect(() => parseCommandLine([], strict)).toThrow(new UserError('name the environment'));
    expect(() => parseCommandLine(['prod'], strict)).toThrow(new UserError('--out <file> is required'));
    expect(() => parseCommandLine(['prod', '--out', 'a.keep', '--force'], strict)).toThrow(new UserError('--force does not replace a .keep file'));
    expect(() => parseCommandLine(['prod', '--out', 'a.keep', '--force'], strict)).toThrow(expect.objectContaining({ usage: usageOf(strict) }));
    expect(usageOf(strict)).toBe('npm run y -- <environment> --out <file> [--force]');
  });

  test('a command that passes on what follows "--" reads it apart from the environment names', () => {
    const passing = commandGrammar({
      name: 'z',
      description: 'Runs z. Exit code: its own.',
      environments: 'none',
      options: { keep: { type: 'boolean', help: 'keeps' } },
      afterDashes: '<command> [<argument>...]',
      examples: [['-- npm test', 'npm test']],
    });
    expect(usageOf(passing)).toBe('npm run z -- [--keep] [-- <command> [<argument>...]]');
    expect(parseCommandLine(['--keep', '--', 'npm', 'run', 'synth', '--', 'prod'], passing)).toEqual({
      values: { keep: true },
      environments: [],
      rest: ['npm', 'run', 'synth', '--', 'prod'],
    });
    expect(() => parseCommandLine(['npm', 'test'], passing)).toThrow(
      new UserError('z takes no environment names; got npm, test; <command> [<argument>...] goes after "--" (npm run z -- -- <command> [<argument>...])'),
    );
  });

  test('--outputs is [<environment>=]<file> in every command', () => {
    expect(readOutputsOption('prod-outputs.json')).toEqual({ file: 'prod-outputs.json' });
    expect(readOutputsOption('prod=out/prod.json')).toEqual({ environment: 'prod', file: 'out/prod.json' });
    expect(readOutputsOption('./a=b.json')).toEqual({ file: './a=b.json' });
    expect(() => readOutputsOption('prod=')).toThrow(new UserError('--outputs prod=: give the file after "=": --outputs prod=<terraform output -json file>'));
  });
});
