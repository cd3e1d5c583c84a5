import { UserError } from '../process/command-line';

/**
 * An Azure CLI command as data: printed as a line of a bash script, or run (without a shell) by
 * `--apply`. Values the set-up learns on the way (an application ID) are shell variables in the
 * script and looked up when run, so both read the same.
 */

/** A value the set-up learns from an earlier command: `$PLAN_APP_ID` in the script. */
export interface Ref {
  readonly ref: string;
}

/** Text with values learnt on the way in it (`"${STATE_1}/blobServices/default/containers/tfstate"`). */
export interface Joined {
  readonly join: readonly (string | Ref)[];
}

export type AzArg = string | Ref | Joined;

/** A command: `az` and its arguments, and the variable its one-value output (`--output tsv`) goes to. */
export interface AzCommand {
  readonly args: readonly AzArg[];
  readonly capture?: string;
}

export const ref = (name: string): Ref => ({ ref: name });
export const joined = (...parts: (string | Ref)[]): Joined => ({ join: parts });

/** Arguments the shell reads as they are: no quoting needed. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** What a double-quoted bash string still expands or ends on. */
const DOUBLE_QUOTE_SPECIAL = /[$`\\"!]/;

/**
 * One argument as bash reads it back exactly: bare when it needs no quoting, else in single quotes
 * (a single quote in it written `'\''`), or in double quotes when that reads better and nothing in
 * it expands there. Values come from environment files and the command line, so nothing in them may
 * run: every case keeps `$(...)`, backticks, `;` and line breaks as text.
 */
export function shellWord(text: string): string {
  if (text !== '' && BARE.test(text)) return text;
  if (!text.includes("'")) return `'${text}'`;
  if (!DOUBLE_QUOTE_SPECIAL.test(text)) return `"${text}"`;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function scriptArg(arg: AzArg): string {
  if (typeof arg === 'string') return shellWord(arg);
  if ('ref' in arg) return `"$${arg.ref}"`;
  return `"${arg.join.map((part) => (typeof part === 'string' ? part.replace(/[$`\\"!]/g, (c) => `\\${c}`) : `\${${part.ref}}`)).join('')}"`;
}

/** The command as a line of a bash script: `VAR=$(az ...)` when it captures a value. */
export function scriptLine(command: AzCommand): string {
  const line = ['az', ...command.args.map(scriptArg)].join(' ');
  return command.capture ? `${command.capture}=$(${line})` : line;
}

/**
 * What the set-up may learn from az: an object ID or application ID (a GUID), or a storage account's
 * resource ID. Each goes into later commands and a JSON body; anything else (a line break, an "@file"
 * az would read) stops the run.
 */
const LEARNT_VALUE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[\p{L}\p{N}_().-]{1,90}\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24})$/iu;

/**
 * A value az answered, checked before any command is given it.
 * @throws UserError naming `what` when it is no ID
 */
export function learntValue(value: string, what: string): string {
  if (!LEARNT_VALUE.test(value)) throw new UserError(`az answered ${JSON.stringify(value.slice(0, 120))} for ${what}, which is not an ID; nothing more is run`);
  return value;
}

/** The arguments to run, with the values learnt so far. */
export function resolveArgs(command: AzCommand, values: ReadonlyMap<string, string>): string[] {
  const value = (r: Ref) => {
    const known = values.get(r.ref);
    if (known === undefined) throw new Error(`bootstrap: ${r.ref} is used before it is known`);
    return known;
  };
  return command.args.map((arg) => (typeof arg === 'string' ? arg : 'ref' in arg ? value(arg) : arg.join.map((p) => (typeof p === 'string' ? p : value(p))).join('')));
}
