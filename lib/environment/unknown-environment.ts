import { basename } from 'node:path';
import { describe } from '../input/field-reader';
import { nearestNames } from '../input/nearest-name';
import { optionsBeforeDashes } from '../process/command-line';
import { TENANT_STACK_MARKER } from '../tenants/customer-tenant';

/** Up to this many names are listed; more are counted and left to `npm run environments`. */
const MAX_LISTED = 12;

/**
 * Why a name given to a command is no environment, and what was meant: the environment whose file
 * was named, the environment a customer tenant's stack name belongs to, a near name, or the names
 * there are. `known` are the environments' names; `unread` a file of that name the environments
 * folder holds but does not read (`prod.js`), with why.
 */
export function unknownEnvironmentMessage(wanted: string, known: readonly string[], unread?: string): string {
  const shown = describe(wanted);
  if (unread !== undefined) return `no such environment ${shown}: ${unread}`;
  const stem = basename(wanted.replace(/\\/g, '/')).replace(/\.ts$/i, '');
  if (stem !== wanted && known.includes(stem)) return `${shown} is a file; name the environment it holds: ${stem}`;
  const marker = wanted.toLowerCase().indexOf(TENANT_STACK_MARKER);
  const home = marker > 0 ? wanted.slice(0, marker) : undefined;
  if (home !== undefined && known.includes(home)) {
    const tenant = wanted.slice(marker + TENANT_STACK_MARKER.length);
    return `${shown} is not an environment: it names the stack of customer tenant ${describe(tenant)} of ${home}; name the environment, ${home}, and its customer tenants come with it`;
  }
  return `${noSuchEnvironment(shown, stem, known)}${optionsBeforeDashes([wanted])}`;
}

function noSuchEnvironment(shown: string, stem: string, known: readonly string[]): string {
  const near = nearestNames(stem, known);
  if (near.length > 0) return `no such environment ${shown}; did you mean ${near.slice(0, 3).join(' or ')}?`;
  if (known.length === 0) return `no such environment ${shown}, nor any other yet: add environments/<name>.ts`;
  if (known.length > MAX_LISTED) return `no such environment ${shown}; there are ${known.length}, from ${known[0]} to ${known[known.length - 1]}: npm run environments lists them`;
  return `no such environment ${shown}; the environments are ${known.join(', ')}`;
}
