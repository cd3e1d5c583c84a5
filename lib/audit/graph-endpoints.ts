import { CLOUDS, type Cloud, type CloudName } from '../construct/cloud';
import { redactUserinfo } from '../construct/redirect-uri';
import { clipped, UserError } from '../process/command-line';

/**
 * Microsoft Graph's host in each national cloud the environments support, as the azuread provider's
 * environments (go-azure-sdk) name them. Tokens are always asked for this Graph, whatever
 * GRAPH_ENDPOINT says: a proxy forwards them to it.
 */
const GRAPH_HOSTS: Readonly<Record<CloudName, string>> = {
  public: 'graph.microsoft.com',
  usgovernment: 'graph.microsoft.us',
  china: 'microsoftgraph.chinacloudapi.cn',
};

/**
 * Sign-in hosts of the national clouds: MSAL knows their metadata, so instance discovery stays on
 * for them. login.microsoftonline.us serves US Government L4 and L5 (DoD) alike.
 */
const NATIONAL_LOGIN_HOSTS = new Set(Object.values(CLOUDS).map((cloud) => cloud.loginHost));

/** Where the audit of one cloud's tenants signs in and reads. */
export interface GraphEndpoints {
  /** The base requests go to, without a trailing slash: `https://graph.microsoft.com`, or GRAPH_ENDPOINT. */
  readonly graph: string;
  /** The cloud's own Graph, `https://graph.microsoft.com`, whatever GRAPH_ENDPOINT says: what `az rest` commands address. */
  readonly cloudGraph: string;
  /** The scope tokens are asked for: the cloud's own Graph, `https://graph.microsoft.com/.default`. */
  readonly scope: string;
  /** The sign-in authority's origin: the cloud's, or AZURE_AUTHORITY_HOST. */
  readonly authorityHost: string;
  /** True only for an authority that is not a national cloud's (a test double, a proxy): MSAL would otherwise ask login.microsoftonline.com about it. */
  readonly disableInstanceDiscovery: boolean;
  /** The overrides in effect, as `NAME=value`, for the report to show: tokens go where they say. */
  readonly overrides: readonly string[];
}

/**
 * The endpoints of a cloud, with `AZURE_AUTHORITY_HOST` (read as `@azure/identity` reads it) and
 * `GRAPH_ENDPOINT` overriding them for tests and proxies. Both are environment variables anyone
 * who controls the job can set, and tokens go where they say: each must be a bare https origin
 * (GRAPH_ENDPOINT may be plain http only on a loopback address), and every report names them.
 * @throws UserError naming the variable and what it may be
 */
export function graphEndpoints(cloud: Cloud, vars: NodeJS.ProcessEnv): GraphEndpoints {
  const graphHost = GRAPH_HOSTS[cloud.name];
  const overrides: string[] = [];
  let graph = `https://${graphHost}`;
  const graphOverride = nonEmpty(vars.GRAPH_ENDPOINT);
  if (graphOverride !== undefined) {
    graph = readEndpoint('GRAPH_ENDPOINT', graphOverride, { path: true, loopbackHttp: true });
    overrides.push(`GRAPH_ENDPOINT=${graph}`);
  }
  let authorityHost = `https://${cloud.loginHost}`;
  let disableInstanceDiscovery = false;
  const authorityOverride = nonEmpty(vars.AZURE_AUTHORITY_HOST);
  if (authorityOverride !== undefined) {
    authorityHost = readEndpoint('AZURE_AUTHORITY_HOST', authorityOverride, { path: false, loopbackHttp: false });
    disableInstanceDiscovery = !NATIONAL_LOGIN_HOSTS.has(new URL(authorityHost).hostname);
    overrides.push(`AZURE_AUTHORITY_HOST=${authorityHost}`);
  }
  return { graph, cloudGraph: `https://${graphHost}`, scope: `https://${graphHost}/.default`, authorityHost, disableInstanceDiscovery, overrides };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Loopback addresses, where plain http leaves the machine no more than https would. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * An endpoint variable as an origin (and, where allowed, a path) without a trailing slash.
 * What it held is quoted with any user name or password replaced, also when it is no URL at all.
 */
export function readEndpoint(name: string, value: string, allow: { readonly path: boolean; readonly loopbackHttp: boolean }): string {
  const what = `an https URL${allow.loopbackHttp ? ' (http only on a loopback address, such as http://127.0.0.1:8080)' : ''}${allow.path ? '' : ' with no path'}, with no user name, password, query or fragment`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${name} must be ${what}; got ${JSON.stringify(clipped(redactUserinfo(value)))}`);
  }
  if (url.username !== '' || url.password !== '') throw new UserError(`${name} must be ${what}; it holds a user name or password (not shown)`);
  const secure = url.protocol === 'https:' || (allow.loopbackHttp && url.protocol === 'http:' && isLoopback(url.hostname));
  const path = url.pathname.replace(/\/+$/, '');
  if (!secure || url.search !== '' || url.hash !== '' || value.includes('#') || (!allow.path && path !== '')) {
    throw new UserError(`${name} must be ${what}; got ${JSON.stringify(clipped(redactUserinfo(value)))}`);
  }
  return `${url.origin}${path}`;
}
