// Terraform references (cdktf tokens) in a construct's props: which props take one, and how text that
// holds one reaches Terraform. Only constructs import this file: it loads cdktf, which the environment
// loader and the commands that do not synthesize never do.
import { Token, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { fieldPath } from './field-reader';
import { terraformLiteral } from '../process/terraform-literal';

/** Whether a text is, or holds, a cdktf token (`registration.clientId`, `new DataAzureadClientConfig(...).objectId`). */
export function isTerraformReference(text: string): boolean {
  return Token.isUnresolved(text);
}

/**
 * Whether two texts are one Terraform reference: the same text, or two reads of one attribute
 * (`deployer.objectId` read twice is two tokens of one reference, `data.azuread_client_config.deployer.object_id`).
 */
export function sameReference(a: string, b: string): boolean {
  if (a === b) return true;
  const [first, second] = [referenceOf(a), referenceOf(b)];
  return first !== undefined && second !== undefined && first.identifier === second.identifier && first.originStack === second.originStack;
}

/** The reference a text is made of alone (cdktf's and cdktn's `Reference`: an identifier in its stack), if it is one. */
function referenceOf(text: string): { identifier: string; originStack: unknown } | undefined {
  if (!Token.isUnresolved(text)) return undefined;
  const fragments = Tokenization.reverseString(text);
  const token = fragments.length === 1 ? (fragments.firstToken as unknown as { identifier?: unknown; originStack?: unknown } | undefined) : undefined;
  return token && typeof token.identifier === 'string' ? { identifier: token.identifier, originStack: token.originStack } : undefined;
}

/** A prop's value that is a text holding a cdktf token, as the props readers ask (`PropsSource.isReference`). */
export function isReferenceText(value: unknown): value is string {
  return typeof value === 'string' && Token.isUnresolved(value);
}

/** cdktf's marker for a string token (`${TfToken[TOKEN.12]}`), the same in cdktf 0.21 and cdktn. */
const STRING_TOKEN = /(\$\{TfToken\[[a-zA-Z0-9:._-]+\]\})/;

/**
 * Text for Terraform JSON that may hold references: the user's own parts are escaped as
 * `terraformLiteral` escapes them (a `${` of theirs stays a literal `${`), the references are left
 * for cdktf to resolve.
 */
export function terraformText(text: string): string {
  if (!isTerraformReference(text)) return terraformLiteral(text);
  return text
    .split(STRING_TOKEN)
    .map((part, index) => (index % 2 === 1 ? part : terraformLiteral(part)))
    .join('');
}

/**
 * The prop paths that hold a cdktf token, which `accepts` does not allow there; a construct (the
 * provider) is no value to look into.
 */
export function refusedReferences(value: unknown, accepts: (path: string) => boolean): string[] {
  return referencePaths(value, '', new Set()).filter((path) => !accepts(path));
}

function referencePaths(value: unknown, path: string, seen: Set<unknown>): string[] {
  if (Token.isUnresolved(value)) return [path];
  if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof Uint8Array || Construct.isConstruct(value)) return [];
  seen.add(value);
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((entry, index) => [index, entry]) : Object.entries(value);
  return entries.flatMap(([key, entry]) => referencePaths(entry, fieldPath(path, key), seen));
}
