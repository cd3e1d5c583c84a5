import type { TokenCredential, TokenCredentialOptions } from '@azure/identity';
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { readUserBytes, UserError } from '../process/command-line';
import { clip } from '../process/problem';
import { isGuid } from '../input/field-reader';
import { parseJson } from '../input/json-text';
import { redactUserinfo } from '../construct/redirect-uri';
import { clientCertificatePem, MAX_CLIENT_CERTIFICATE_BYTES } from './client-certificate';
import { readBody, GraphError } from './graph-client';
import { isLoopback, type GraphEndpoints } from './graph-endpoints';

/**
 * `@azure/identity`, loaded when the first credential is made: it is a fifth of a second of start-up
 * that `--help`, a mistake in the command line and a report from saved outputs never need.
 */
function azureIdentity(): typeof import('@azure/identity') {
  return require('@azure/identity');
}

/**
 * The identity the audit reads Microsoft Graph as, signed in from the same environment variables the
 * azuread provider reads, in the provider's order (go-azure-sdk): a client certificate, a client
 * secret, an OIDC token (ARM_USE_OIDC), then the Azure CLI. So one set of variables serves
 * `terraform plan` and `npm run audit`, and a CI job's OIDC identity needs nothing more.
 */
export interface GraphIdentity {
  /** How it signs in, for the report: never a secret, only variable names and the client ID. */
  readonly description: string;
  /**
   * An access token for the cloud's Graph in `tenantId`: each tenant (the environment's, each
   * customer's) gets its own.
   * @throws GraphError (kind `sign-in`) saying in one line why there is none
   */
  token(tenantId: string, endpoints: GraphEndpoints): Promise<string>;
}

export interface GraphIdentityOptions {
  /** Where relative paths in the variables start. @default the current folder */
  readonly cwd?: string;
  /** Given to every `@azure/identity` credential: a proxy, or a pipeline policy. @default none */
  readonly credentialOptions?: TokenCredentialOptions;
  /** How long one token request (or `az`) may take. @default 60 s */
  readonly timeoutMs?: number;
}

/** The audience GitHub's OIDC token must carry for Entra's federated credentials. */
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** An OIDC token is a few KiB; reading stops here. */
const MAX_OIDC_TOKEN_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

type Vars = NodeJS.ProcessEnv;

/**
 * The identity the variables describe.
 * @throws UserError naming the variable that is wrong or missing, never quoting a secret
 */
export function graphIdentityFromEnvironment(vars: Vars, options: GraphIdentityOptions = {}): GraphIdentity {
  const cwd = options.cwd ?? process.cwd();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const make = chooseCredential(vars, cwd, timeoutMs);
  const credentials = new Map<string, TokenCredential>();
  return {
    description: make.description,
    async token(tenantId, endpoints) {
      // One credential per authority, asked for each tenant's token in turn (MSAL caches them per tenant).
      const key = `${endpoints.authorityHost} ${endpoints.disableInstanceDiscovery}`;
      let credential = credentials.get(key);
      if (!credential) {
        credential = make.credential(tenantId, {
          ...options.credentialOptions,
          authorityHost: endpoints.authorityHost,
          disableInstanceDiscovery: endpoints.disableInstanceDiscovery,
          additionallyAllowedTenants: ['*'],
        });
        credentials.set(key, credential);
      }
      try {
        const token = await credential.getToken(endpoints.scope, { tenantId, abortSignal: AbortSignal.timeout(timeoutMs) });
        if (!token?.token) throw new Error('no token');
        return token.token;
      } catch (error) {
        if (error instanceof UserError || error instanceof GraphError) throw new GraphError('sign-in', `${error.message}`);
        throw new GraphError('sign-in', `could not sign in to tenant ${tenantId} with the ${make.description}: ${signInProblem(error, timeoutMs)}`);
      }
    },
  };
}

interface CredentialMaker {
  readonly description: string;
  credential(tenantId: string, options: TokenCredentialOptions & { disableInstanceDiscovery: boolean; additionallyAllowedTenants: string[] }): TokenCredential;
}

function chooseCredential(vars: Vars, cwd: string, timeoutMs: number): CredentialMaker {
  const certificatePath = set(vars.ARM_CLIENT_CERTIFICATE_PATH);
  const certificateData = set(vars.ARM_CLIENT_CERTIFICATE);
  if (certificatePath !== undefined || certificateData !== undefined) {
    const clientId = readClientId(vars, cwd, certificatePath ? 'ARM_CLIENT_CERTIFICATE_PATH' : 'ARM_CLIENT_CERTIFICATE');
    const source = certificatePath !== undefined ? `ARM_CLIENT_CERTIFICATE_PATH (${certificatePath})` : 'ARM_CLIENT_CERTIFICATE';
    const pfx = certificatePath !== undefined ? variableFile('ARM_CLIENT_CERTIFICATE_PATH', certificatePath, cwd, MAX_CLIENT_CERTIFICATE_BYTES) : base64Bundle(certificateData!);
    const pem = clientCertificatePem(pfx, vars.ARM_CLIENT_CERTIFICATE_PASSWORD ?? '', source);
    const thumbprint = new X509Certificate(pem).fingerprint.replace(/:/g, '');
    return {
      description: `client certificate ${thumbprint} (${source}) of application ${clientId}`,
      credential: (tenantId, options) => new (azureIdentity().ClientCertificateCredential)(tenantId, clientId, { certificate: pem }, options),
    };
  }
  const secret = set(vars.ARM_CLIENT_SECRET) ?? fileValue(vars, 'ARM_CLIENT_SECRET_FILE_PATH', cwd);
  if (secret !== undefined) {
    const clientId = readClientId(vars, cwd, set(vars.ARM_CLIENT_SECRET) ? 'ARM_CLIENT_SECRET' : 'ARM_CLIENT_SECRET_FILE_PATH');
    return {
      description: `client secret (${set(vars.ARM_CLIENT_SECRET) ? 'ARM_CLIENT_SECRET' : 'ARM_CLIENT_SECRET_FILE_PATH'}) of application ${clientId}`,
      credential: (tenantId, options) => new (azureIdentity().ClientSecretCredential)(tenantId, clientId, secret, options),
    };
  }
  if (readBoolean(vars, 'ARM_USE_OIDC', false)) {
    const clientId = readClientId(vars, cwd, 'ARM_USE_OIDC');
    const assertion = oidcAssertion(vars, cwd, timeoutMs);
    return {
      description: `OIDC token (${assertion.source}) of application ${clientId}`,
      credential: (tenantId, options) => new (azureIdentity().ClientAssertionCredential)(tenantId, clientId, assertion.get, options),
    };
  }
  const unsupported = ['ARM_USE_MSI', 'ARM_USE_AKS_WORKLOAD_IDENTITY'].filter((name) => readBoolean(vars, name, false));
  if (unsupported.length > 0) {
    throw new UserError(
      `${unsupported.join(' and ')} ${unsupported.length > 1 ? 'are' : 'is'} set, and the audit cannot sign in that way: use a client secret, a client certificate, OIDC (ARM_USE_OIDC) or the Azure CLI`,
    );
  }
  if (!readBoolean(vars, 'ARM_USE_CLI', true)) {
    throw new UserError(
      'no credentials: ARM_USE_CLI is false and neither ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_SECRET nor ARM_USE_OIDC is set (the variables the azuread provider reads)',
    );
  }
  return {
    description: 'Azure CLI (az login)',
    credential: (tenantId, options) => new (azureIdentity().AzureCliCredential)({ ...options, tenantId, processTimeoutInMs: timeoutMs }),
  };
}

/** A variable that is set to something, trimmed. */
function set(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A boolean variable as Go's strconv.ParseBool reads it, which is how the provider reads it. */
function readBoolean(vars: Vars, name: string, fallback: boolean): boolean {
  const value = set(vars[name]);
  if (value === undefined) return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new UserError(`${name} must be true or false; got ${JSON.stringify(value.slice(0, 40))}`);
}

/** A value the provider also takes from a file (`ARM_CLIENT_SECRET_FILE_PATH`), read whole and trimmed. */
function fileValue(vars: Vars, name: string, cwd: string): string | undefined {
  const file = set(vars[name]);
  if (file === undefined) return undefined;
  const value = variableFile(name, file, cwd, MAX_OIDC_TOKEN_BYTES).toString('utf8').trim();
  if (value === '') throw new UserError(`${name} (${file}): the file is empty`);
  return value;
}

/**
 * A file a variable names: a regular file only (a FIFO nobody writes to would hold the command
 * forever, a device never ends), at most `limit` bytes; messages name the variable.
 */
function variableFile(name: string, file: string, cwd: string, limit: number): Buffer {
  let regular: boolean;
  try {
    regular = statSync(resolve(cwd, file)).isFile();
  } catch {
    throw new UserError(`${name} (${file}): file not found`);
  }
  if (!regular) throw new UserError(`${name} (${file}): is not a regular file`);
  try {
    return readUserBytes(file, cwd, limit);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${name}: ${error.message}`);
    throw error;
  }
}

function readClientId(vars: Vars, cwd: string, because: string): string {
  const direct = set(vars.ARM_CLIENT_ID);
  const fromFile = fileValue(vars, 'ARM_CLIENT_ID_FILE_PATH', cwd);
  if (direct !== undefined && fromFile !== undefined && direct.toLowerCase() !== fromFile.toLowerCase()) {
    throw new UserError('ARM_CLIENT_ID and the file ARM_CLIENT_ID_FILE_PATH names give different client IDs; set one');
  }
  const clientId = direct ?? fromFile;
  if (clientId === undefined) throw new UserError(`${because} is set, but ARM_CLIENT_ID is not: set it to the application (client) ID of the identity`);
  const shown = JSON.stringify(clientId.slice(0, 60));
  if (!isGuid(clientId)) {
    throw new UserError(`${direct !== undefined ? 'ARM_CLIENT_ID' : 'ARM_CLIENT_ID_FILE_PATH'} must be an application (client) ID, a GUID; got ${shown}`);
  }
  return clientId.toLowerCase();
}

function base64Bundle(value: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new UserError('ARM_CLIENT_CERTIFICATE must be a base64 PKCS#12 (.pfx) bundle, as the azuread provider takes it');
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Where the OIDC token (the client assertion) comes from, as the provider looks: ARM_OIDC_TOKEN,
 * ARM_OIDC_TOKEN_FILE_PATH (read anew each time: an orchestrator rewrites it), or GitHub Actions'
 * token service (ARM_OIDC_REQUEST_URL/TOKEN or ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, which a job with
 * `permissions: id-token: write` has), asked for the audience api://AzureADTokenExchange.
 */
function oidcAssertion(vars: Vars, cwd: string, timeoutMs: number): { source: string; get: () => Promise<string> } {
  const token = set(vars.ARM_OIDC_TOKEN);
  if (token !== undefined) return { source: 'ARM_OIDC_TOKEN', get: async () => token };
  const file = set(vars.ARM_OIDC_TOKEN_FILE_PATH);
  if (file !== undefined) {
    return {
      source: `ARM_OIDC_TOKEN_FILE_PATH (${file})`,
      get: async () => {
        const value = variableFile('ARM_OIDC_TOKEN_FILE_PATH', file, cwd, MAX_OIDC_TOKEN_BYTES).toString('utf8').trim();
        if (value === '') throw new UserError(`ARM_OIDC_TOKEN_FILE_PATH (${file}): the file is empty`);
        return value;
      },
    };
  }
  const urlName = set(vars.ARM_OIDC_REQUEST_URL) !== undefined ? 'ARM_OIDC_REQUEST_URL' : 'ACTIONS_ID_TOKEN_REQUEST_URL';
  const bearerName = set(vars.ARM_OIDC_REQUEST_TOKEN) !== undefined ? 'ARM_OIDC_REQUEST_TOKEN' : 'ACTIONS_ID_TOKEN_REQUEST_TOKEN';
  const url = set(vars[urlName]);
  const bearer = set(vars[bearerName]);
  if (url === undefined || bearer === undefined) {
    throw new UserError(
      'ARM_USE_OIDC is true, but there is no OIDC token: set ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, or run in a GitHub Actions job with permissions: id-token: write (which sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)',
    );
  }
  const target = tokenRequestUrl(urlName, url);
  let cached: { value: string; until: number } | undefined;
  return {
    source: `GitHub Actions, ${urlName}`,
    get: async () => {
      if (cached && cached.until > Date.now()) return cached.value;
      const value = await requestOidcToken(target, bearer, urlName, timeoutMs);
      const expires = expiryOf(value);
      // One token serves every tenant while it lives: hundreds of customer tenants ask GitHub once.
      cached = expires === undefined ? undefined : { value, until: expires - 60_000 };
      return value;
    },
  };
}

/** The token service's URL with the audience: https, or http on a loopback address (a test double). */
function tokenRequestUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${name} must be an https URL; got ${JSON.stringify(redactUserinfo(value).slice(0, 200))}`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
  if (!secure || url.username !== '' || url.password !== '') {
    throw new UserError(`${name} must be an https URL (http only on a loopback address) with no user name or password; the request token is sent there`);
  }
  url.searchParams.set('audience', TOKEN_EXCHANGE_AUDIENCE);
  return url;
}

async function requestOidcToken(url: URL, bearer: string, urlName: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new GraphError('sign-in', `could not get the OIDC token from ${urlName} (${url.host}): ${networkProblem(error, timeoutMs)}`);
  }
  const text = await readBody(response, MAX_OIDC_TOKEN_BYTES, `the OIDC token from ${urlName}`);
  if (!response.ok) {
    throw new GraphError('sign-in', `the OIDC token request (${urlName}) answered ${response.status}: does the job have permissions: id-token: write?`);
  }
  const parsed = parseJson(text);
  const value = 'value' in parsed && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as { value?: unknown }).value : undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value)) {
    throw new GraphError('sign-in', `the OIDC token request (${urlName}) answered without a token ({ "value": "<JWT>" } expected)`);
  }
  return value;
}

/** When a JWT expires (ms), from its `exp` claim; undefined when it does not say. Nothing else of it is trusted or used. */
function expiryOf(jwt: string): number | undefined {
  try {
    const exp = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** One line from what `@azure/identity` threw: the authority's error code and description, or why nothing answered. */
function signInProblem(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; errorResponse?: { error?: unknown; errorDescription?: unknown } };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const response = e?.errorResponse;
  const text =
    response && typeof response.errorDescription === 'string'
      ? `${typeof response.error === 'string' ? `${response.error}: ` : ''}${response.errorDescription}`
      : String(e?.message ?? error);
  // @azure/identity frames Entra's description with timestamps and trace IDs: the description is what tells.
  return shortLine(text.replace(/Error\(s\):.*?Description: (.*?)(?: - Correlation ID:.*| - Trace ID:.*)?$/s, '$1'));
}

function networkProblem(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: unknown }; message?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return typeof e?.cause?.code === 'string' ? e.cause.code : shortLine(String(e?.message ?? error));
}

/** The first line of a message from elsewhere, at most 300 characters: Entra's descriptions go on for lines (trace and correlation IDs). */
export function shortLine(text: string): string {
  const line = text.split(/\r?\n/)[0].trim();
  return clip(line, 300);
}
