import { describe, fieldPath, readArray, type Report } from '../input/field-reader';
import { VB365_PORTAL_PORT } from './vb365';
import { escapeControlCharacters, INVISIBLE_OR_CONTROL } from '../process/problem';

/** Entra's limits for redirect URIs of work and school account apps (Microsoft identity platform docs). */
export const REDIRECT_URI_LIMITS = { maxLength: 256, maxCount: 256 } as const;

/** Characters Entra refuses anywhere in a redirect URI. */
const FORBIDDEN_CHARACTERS = ['!', '$', "'", '(', ')', ',', ';'];

/**
 * Checks the Restore Portal addresses against what Entra accepts as SPA redirect URIs and what VB365
 * can serve: https (http only for localhost), no wildcard, no fragment, at most 256 characters and
 * 256 entries, no duplicates, and nothing a URL parser reads differently from how it reads to a person
 * (see redirectUriProblem). Returns the URIs exactly as written: Entra compares them case-sensitively.
 * Entries that are Terraform references (where `isReference` says so) are passed on unchecked.
 * Warns about entries a browser treats as one address, and https addresses without VB365's port.
 */
export function readRedirectUris(
  value: unknown,
  path: string,
  report: Report,
  warn: Report = () => undefined,
  isReference: (value: unknown) => value is string = (_value: unknown): _value is string => false,
): string[] | undefined {
  const list = readArray(value, path, report);
  if (!list) return undefined;
  if (list.length === 0) {
    report(path, 'must list at least one address of the Restore Portal, e.g. "https://restore.example.com:4443"');
    return undefined;
  }
  if (list.length > REDIRECT_URI_LIMITS.maxCount) {
    report(path, `Entra allows at most ${REDIRECT_URI_LIMITS.maxCount} redirect URIs; got ${list.length}`);
    return undefined;
  }
  const seen = new Map<string, number>();
  const sameAddress = new Map<string, number>();
  const uris: string[] = [];
  list.forEach((entry, index) => {
    const entryPath = fieldPath(path, index);
    // A Terraform reference is known only when Terraform applies; Entra checks it then.
    if (isReference(entry)) {
      uris.push(entry);
      return;
    }
    const problem = redirectUriProblem(entry);
    if (problem) {
      report(entryPath, problem);
      return;
    }
    const uri = entry as string;
    const first = seen.get(uri);
    if (first !== undefined) {
      report(entryPath, `duplicates ${fieldPath(path, first)} ("${uri}"); list each address once`);
      return;
    }
    seen.set(uri, index);
    uris.push(uri);
    const url = new URL(uri);
    const address = browserAddress(url);
    const same = sameAddress.get(address);
    if (same !== undefined) {
      warn(entryPath, `is the same address as ${fieldPath(path, same)} for a browser (they differ only in a trailing slash, the host's case or a default port written out); Entra keeps both, list it once`);
    } else {
      sameAddress.set(address, index);
    }
    if (url.protocol === 'https:' && url.port === '') {
      const suggested = `https://${url.hostname}:${VB365_PORTAL_PORT}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
      warn(
        entryPath,
        `has no port, so browsers use 443; VB365 serves the Restore Portal on its REST API port (${VB365_PORTAL_PORT} unless Set-VBORestAPISettings -HTTPSPort says otherwise): write "${suggested}", unless a reverse proxy on 443 fronts it`,
      );
    }
    if (/[A-Z]/.test(uri.slice(url.protocol.length + 2).split(/[/?]/, 1)[0])) {
      warn(entryPath, `writes the host with capital letters; browsers send it in lower case ("${url.hostname}") and Entra compares redirect URIs case-sensitively: write it in lower case`);
    }
  });
  return uris.length === list.length ? uris : undefined;
}

/** One address as a browser sees it: host in lower case, default port and trailing slash dropped. */
function browserAddress(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
}

/**
 * Why Entra or VB365 would reject this redirect URI, or undefined when it is fine. Beyond Entra's
 * rules, refuses what makes the host a URL parser sees differ from the one a reader sees
 * (`https://restore.contoso.com%2f@evil.com:4443` goes to evil.com): user names and passwords,
 * percent-encoding or backslashes in the authority, a missing `//`, control characters, ports
 * outside 1 to 65535, and anything else the parser would rewrite, bar the host's case, a default
 * port and the trailing slash, which change no address. Never shows a password found in the URI.
 */
export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return `must be a non-empty string URL; got ${describe(value)}`;
  // Control characters first: they are shown escaped, and nothing else is said about a URI holding them.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return `must not contain control characters (tab, line break, ...); got ${escapeControlCharacters(JSON.stringify(redactUserinfo(value)))}`;
  // Invisible, they make the address read differently from what it is (a direction override turns it around).
  if (INVISIBLE_OR_CONTROL.test(value)) {
    return `must not contain invisible characters (direction overrides, zero-width spaces, byte order marks); got "${escapeControlCharacters(redactUserinfo(value))}"`;
  }
  const shown = `"${redactUserinfo(value)}"`;
  if (value.length > REDIRECT_URI_LIMITS.maxLength) {
    return `must be at most ${REDIRECT_URI_LIMITS.maxLength} characters (Entra's limit); got ${value.length}`;
  }
  if (value.includes('*')) return `wildcards are not allowed by Entra; list each portal address in full; got ${shown}`;
  if (value.includes('#')) return `must not contain a fragment ("#..."); got ${shown}`;
  if (/\s/.test(value)) return `must not contain spaces; got ${shown}`;
  const forbidden = FORBIDDEN_CHARACTERS.filter((c) => value.includes(c));
  if (forbidden.length > 0) {
    return `contains ${forbidden.map((c) => `"${c}"`).join(', ')}, which Entra does not allow in redirect URIs; got ${shown}`;
  }
  if (value.includes('\\')) return `must not contain a backslash (browsers read it as "/", which moves the host); got ${shown}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = /^[a-z]+:\/\/[^/?]*:(\d+)(?:[/?]|$)/i.exec(value)?.[1];
    if (port !== undefined && Number(port) > 65535) return `has port ${port}; a port is 1 to 65535; got ${shown}`;
    return `is not an absolute URL; expected e.g. "https://restore.example.com:4443"; got ${shown}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https URL of the Restore Portal; got ${shown}`;
  if (url.protocol === 'http:' && url.hostname !== 'localhost') return `must use https (Entra allows http only for http://localhost); got ${shown}`;
  if (!value.startsWith(`${url.protocol}//`)) return `must start with "${url.protocol}//" in lower case (browsers send the scheme so, and Entra compares redirect URIs case-sensitively; without "//" programs disagree on what the host is); got ${shown}`;
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?]/, 1)[0];
  if (authority.includes('@')) return `must not contain a user name or password ("user:password@" before the host: the host is what follows the @); got ${shown}`;
  if (authority.includes('%')) return `must not percent-encode the host or port ("%..." there hides what the host is); got ${shown}`;
  if (!url.hostname) return `has no host name; got ${shown}`;
  if (url.port === '0') return `has port 0; a port is 1 to 65535; got ${shown}`;
  if (!sameText(url, value)) {
    return `is read by a URL parser as "${url.href}", which differs from what is written (write the host in ASCII/punycode, percent-encode no more and no less than needed, no "." or ".." segments); got ${shown}`;
  }
  return undefined;
}

/**
 * Whether the parser kept what was typed, allowing only changes that leave the address the same:
 * the host in lower case, a default port dropped, a trailing slash added to an empty path.
 */
function sameText(url: URL, typed: string): boolean {
  const rest = typed.slice(url.protocol.length + 2);
  const authorityEnd = rest.search(/[/?]|$/);
  const typedPathAndQuery = rest.slice(authorityEnd);
  const parsedPathAndQuery = `${url.pathname}${url.search}`;
  const pathSame = typedPathAndQuery === parsedPathAndQuery || (`/${typedPathAndQuery}` === parsedPathAndQuery && !typedPathAndQuery.startsWith('/'));
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const typedHost = rest.slice(0, authorityEnd).toLowerCase().replace(new RegExp(`:${defaultPort}$`), '');
  return pathSame && typedHost === url.host;
}

/** A URI as it may be shown: whatever stands before an "@" in the authority (a user name, a password) replaced by "***". */
export function redactUserinfo(value: string): string {
  const start = value.indexOf('//');
  if (start < 0) return value.includes('@') ? value.replace(/^[^@]*@/, '***@') : value;
  const authorityEnd = value.slice(start + 2).search(/[/?#\\]|$/) + start + 2;
  const at = value.lastIndexOf('@', authorityEnd - 1);
  return at > start ? `${value.slice(0, start + 2)}***${value.slice(at)}` : value;
}
