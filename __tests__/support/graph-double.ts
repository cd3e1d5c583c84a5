import { createHash, createPublicKey, generateKeyPairSync, randomUUID, verify, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';

/**
 * A small Microsoft Graph v1.0 and Entra sign-in double on 127.0.0.1, for the audit's tests and the
 * bench. It holds per tenant applications, service principals, owners, federated credentials,
 * delegated grants and app role assignments, answers the reads the audit makes (with $select,
 * paging and Graph's error bodies), and can throttle, fail, hang or garble chosen requests.
 *
 * Graph is served over plain http (the audit allows http on loopback for GRAPH_ENDPOINT); the
 * sign-in authority over https with a certificate made at start, since MSAL takes https only: pass
 * `trust` to the credentials in-process, or `caFile` as NODE_EXTRA_CA_CERTS to a command.
 * A token names its tenant (`double-token.<tenant>`): Graph serves the tenant the token is for.
 */

export type Json = Record<string, unknown>;

export interface DoubleTenant {
  readonly applications: Json[];
  readonly servicePrincipals: Json[];
  /** Owners (directory objects with @odata.type) by owned object ID. */
  readonly owners: Map<string, Json[]>;
  /** Federated identity credentials by application object ID. */
  readonly federatedCredentials: Map<string, Json[]>;
  /** oauth2PermissionGrants (clientId = the service principal's object ID). */
  readonly grants: Json[];
  /** App role assignments by the object ID of the service principal they were given to. */
  readonly appRoleAssignments: Map<string, Json[]>;
  /** Application permissions the audit's identity holds here, with Graph's coverage of each read. @default both */
  permissions: Set<'Application.Read.All' | 'Directory.Read.All'>;
}

/** An identity the double's authority signs in: a client secret, a certificate, or federated (OIDC) tokens it accepts. */
export interface DoubleIdentity {
  readonly clientId: string;
  readonly secret?: string;
  readonly certificatePem?: string;
  readonly federatedTokens?: readonly string[];
  /** Tenants where it is not consented (AADSTS700016). */
  readonly notIn?: readonly string[];
}

/** What to do to the requests whose path (below /v1.0) matches. */
export interface Trouble {
  readonly path: RegExp;
  /** How many matching requests it hits. @default every one */
  times?: number;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A body as it is, JSON or not. */
  readonly body?: string;
  /** Never answer (the client's timeout ends it). */
  readonly hang?: boolean;
}

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly tenant?: string;
}

export const GRAPH_SERVICE_PRINCIPAL_APP_ID = '00000003-0000-0000-c000-000000000000';

export class GraphDouble {
  readonly tenants = new Map<string, DoubleTenant>();
  readonly identities: DoubleIdentity[] = [];
  readonly troubles: Trouble[] = [];
  readonly requests: LoggedRequest[] = [];
  /** Items per page of a list; a longer list pages with @odata.nextLink. */
  pageSize = 100;
  /** Added to every answer, Graph's and the authority's: the bench's network. */
  latencyMs = 0;
  /** The OIDC tokens the GitHub token service double hands out, by the request token it wants. */
  readonly githubTokens = new Map<string, string>();
  /** Audiences the GitHub token service was asked for. */
  readonly githubAudiences: string[] = [];
  /** The most tenants that had a Graph request open at the same time. */
  mostTenantsAtOnce = 0;
  /**
   * Whether every form of address the audit uses is understood, as Graph does. Off, the double answers
   * only those the azuread provider uses (lists filtered on appId or clientId, objects by ID), as an
   * endpoint made for it may: `/applications(appId='...')` and a service principal's own
   * `/oauth2PermissionGrants` are a 400.
   */
  fullGraph = true;
  private readonly openByTenant = new Map<string, number>();

  private http?: Server;
  private https?: Server;
  private tls?: { key: string; cert: string };
  private readonly hanging = new Set<ServerResponse>();

  /** Graph's base (http://127.0.0.1:<port>), for GRAPH_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}`;
  }

  /** The sign-in authority (https://127.0.0.1:<port>), for AZURE_AUTHORITY_HOST. */
  get authority(): string {
    return `https://127.0.0.1:${(this.https!.address() as AddressInfo).port}`;
  }

  /** The authority's certificate, for NODE_EXTRA_CA_CERTS or a trust policy. */
  get certificatePem(): string {
    return this.tls!.cert;
  }

  async start(options: { authority?: boolean } = {}): Promise<this> {
    this.http = createHttpServer((req, res) => void this.serve(req, res));
    await listen(this.http);
    if (options.authority) {
      this.tls = selfSignedForLoopback();
      this.https = createHttpsServer(this.tls, (req, res) => void this.serve(req, res));
      await listen(this.https);
    }
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const server of [this.http, this.https]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** A tenant, made empty (with Microsoft Graph's service principal) the first time it is asked for. */
  tenant(tenantId: string): DoubleTenant {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = {
        applications: [],
        servicePrincipals: [{ id: randomUUID(), appId: GRAPH_SERVICE_PRINCIPAL_APP_ID, displayName: 'Microsoft Graph', accountEnabled: true }],
        owners: new Map(),
        federatedCredentials: new Map(),
        grants: [],
        appRoleAssignments: new Map(),
        permissions: new Set(['Application.Read.All', 'Directory.Read.All']),
      };
      this.tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  /** The token Graph accepts for a tenant: what the authority hands out, and what in-process tests sign in with. */
  tokenFor(tenantId: string): string {
    return `double-token.${tenantId}`;
  }

  /** Makes requests matching `trouble.path` fail, hang or answer something else, `times` times. */
  trouble(trouble: Trouble): void {
    this.troubles.push(trouble);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const tenant = /^Bearer double-token\.(.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (tenant !== undefined) {
      this.openByTenant.set(tenant, (this.openByTenant.get(tenant) ?? 0) + 1);
      this.mostTenantsAtOnce = Math.max(this.mostTenantsAtOnce, this.openByTenant.size);
      res.on('close', () => {
        const open = this.openByTenant.get(tenant)! - 1;
        if (open === 0) this.openByTenant.delete(tenant);
        else this.openByTenant.set(tenant, open);
      });
    }
    const body = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://double');
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (url.pathname.startsWith('/v1.0/')) return this.graph(req, res, url);
    if (url.pathname === '/github/token') return this.github(req, res, url);
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (discovery) return this.discovery(res, discovery[1]);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token && req.method === 'POST') return this.token(res, token[1], new URLSearchParams(body));
    send(res, 404, { error: 'not_found' });
  }

  private graph(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname.slice('/v1.0'.length);
    const auth = /^Bearer double-token\.([0-9a-f-]{36})$/.exec(req.headers.authorization ?? '');
    this.requests.push({ method: req.method ?? '', url: url.href, tenant: auth?.[1] });
    const trouble = this.troubles.find((t) => t.path.test(`${path}${url.search}`) && (t.times === undefined || t.times > 0));
    if (trouble) {
      if (trouble.times !== undefined) trouble.times--;
      if (trouble.hang) {
        this.hanging.add(res);
        return;
      }
      res.writeHead(trouble.status ?? 200, { 'content-type': 'application/json', ...trouble.headers });
      res.end(trouble.body ?? '{}');
      return;
    }
    if (req.method !== 'GET') return graphError(res, 405, 'Request_BadRequest', 'The audit only reads.');
    if (!auth || !this.tenants.has(auth[1])) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or not valid.');
    const tenant = this.tenant(auth[1]);
    const needs = (permission: 'Application.Read.All' | 'Directory.Read.All') => tenant.permissions.has(permission) || tenant.permissions.has('Directory.Read.All');
    const select = url.searchParams.get('$select')?.split(',');
    const one = (object: Json | undefined, what: string) =>
      object ? send(res, 200, selected(object, select)) : graphError(res, 404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
    const byAppId = this.fullGraph ? /^\/(applications|servicePrincipals)\(appId='([^']+)'\)$/.exec(path) : null;
    if (byAppId) {
      if (!needs('Application.Read.All')) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      const list = byAppId[1] === 'applications' ? tenant.applications : tenant.servicePrincipals;
      return one(list.find((o) => o.appId === byAppId[2]), byAppId[2]);
    }
    const collection = /^\/(applications|servicePrincipals)$/.exec(path);
    const filter = /^appId eq '([^']*)'$/.exec(url.searchParams.get('$filter') ?? '');
    if (collection && filter) {
      if (!needs('Application.Read.All')) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      const list = collection[1] === 'applications' ? tenant.applications : tenant.servicePrincipals;
      return this.page(res, url, list.filter((o) => o.appId === filter[1]).map((o) => selected(o, select)));
    }
    const grantsOf = /^clientId eq '([^']*)'$/.exec(url.searchParams.get('$filter') ?? '');
    if (path === '/oauth2PermissionGrants' && grantsOf) {
      if (!tenant.permissions.has('Directory.Read.All')) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      return this.page(res, url, tenant.grants.filter((g) => g.clientId === grantsOf[1]).map((g) => selected(g, select)));
    }
    const byId = /^\/(applications|servicePrincipals)\/([0-9a-f-]{36})$/.exec(path);
    if (byId) {
      if (!needs('Application.Read.All')) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      const list = byId[1] === 'applications' ? tenant.applications : tenant.servicePrincipals;
      return one(list.find((o) => o.id === byId[2]), byId[2]);
    }
    const below = /^\/(applications|servicePrincipals)\/([0-9a-f-]{36})\/(owners|federatedIdentityCredentials|oauth2PermissionGrants|appRoleAssignments)$/.exec(path);
    if (below && (this.fullGraph || below[3] !== 'oauth2PermissionGrants')) {
      const [, collection, id, relation] = below;
      // Graph's permission tables: grants need Directory.Read.All; federated credentials Application.Read.All (Directory.Read.All does not cover them).
      const allowed =
        relation === 'oauth2PermissionGrants' ? tenant.permissions.has('Directory.Read.All')
        : relation === 'federatedIdentityCredentials' ? tenant.permissions.has('Application.Read.All')
        : needs('Application.Read.All');
      if (!allowed) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      const owner = (collection === 'applications' ? tenant.applications : tenant.servicePrincipals).find((o) => o.id === id);
      if (!owner) return one(undefined, id);
      const items =
        relation === 'owners' ? tenant.owners.get(id) ?? []
        : relation === 'federatedIdentityCredentials' ? tenant.federatedCredentials.get(id) ?? []
        : relation === 'oauth2PermissionGrants' ? tenant.grants.filter((g) => g.clientId === id)
        : tenant.appRoleAssignments.get(id) ?? [];
      return this.page(res, url, items.map((item) => selected(item, select)));
    }
    graphError(res, 400, 'Request_BadRequest', `The double does not answer ${path}.`);
  }

  /** One page of a list, with the next page's link on this double when there is more. */
  private page(res: ServerResponse, url: URL, items: Json[]): void {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const value = items.slice(skip, skip + this.pageSize);
    const next = new URL(url.href.replace(/^http:\/\/double/, this.url));
    next.searchParams.set('$skiptoken', String(skip + this.pageSize));
    send(res, 200, { value, ...(skip + this.pageSize < items.length ? { '@odata.nextLink': next.href } : {}) });
  }

  private github(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.requests.push({ method: req.method ?? '', url: url.href });
    this.githubAudiences.push(url.searchParams.get('audience') ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer === undefined ? undefined : this.githubTokens.get(bearer);
    if (!token) return send(res, 401, { message: 'bad request token' });
    send(res, 200, { count: 1, value: token });
  }

  private discovery(res: ServerResponse, tenant: string): void {
    const base = `${this.authority}/${tenant}`;
    send(res, 200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${this.authority}/keys`,
    });
  }

  private token(res: ServerResponse, tenantId: string, form: URLSearchParams): void {
    this.requests.push({ method: 'POST', url: `${this.authority}/${tenantId}/oauth2/v2.0/token`, tenant: tenantId });
    const identity = this.identities.find((i) => i.clientId === form.get('client_id'));
    const refuse = (code: string, description: string) => send(res, 401, { error: code, error_description: description });
    if (!identity) return refuse('unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
    if (identity.notIn?.includes(tenantId)) {
      return refuse('unauthorized_client', `AADSTS700016: Application with identifier '${identity.clientId}' was not found in the directory '${tenantId}'.`);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    const signedIn =
      (secret !== null && secret === identity.secret) ||
      (assertion !== null && (identity.federatedTokens?.includes(assertion) || (identity.certificatePem !== undefined && signedBy(assertion, identity.certificatePem))));
    if (!signedIn) return refuse('invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    this.tenant(tenantId);
    send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: this.tokenFor(tenantId) });
  }
}

/** A pipeline policy for `@azure/identity` credentials that trusts the double's authority certificate, in-process. */
export function trustPolicy(certificatePem: string) {
  return {
    position: 'perCall' as const,
    policy: {
      name: 'trust-graph-double',
      sendRequest: (request: { tlsSettings?: unknown }, next: (request: any) => Promise<any>) => {
        request.tlsSettings = { ca: certificatePem };
        return next(request);
      },
    },
  };
}

/** The keys of a Graph object `$select` asks for, as Graph answers them. */
function selected(object: Json, select: string[] | undefined): Json {
  if (!select) return object;
  return Object.fromEntries(Object.entries(object).filter(([key]) => select.includes(key) || key.startsWith('@odata.')));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message, innerError: { 'request-id': randomUUID() } } });
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

/** A client assertion (JWT) signed with the certificate's key, as MSAL makes it. */
function signedBy(assertion: string, certificatePem: string): boolean {
  const [header, payload, signature] = assertion.split('.');
  if (!header || !payload || !signature) return false;
  try {
    const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    const key = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
    const data = Buffer.from(`${header}.${payload}`);
    const sig = Buffer.from(signature, 'base64url');
    if (alg === 'PS256') return verify('sha256', data, { key, padding: 6, saltLength: 32 }, sig);
    return alg === 'RS256' && verify('sha256', data, key, sig);
  } catch {
    return false;
  }
}

/** A certificate for 127.0.0.1, made now, that the double's https listener serves. */
function selfSignedForLoopback(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = createHash('sha1').update(randomUUID()).digest('hex').slice(0, 16);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const name = [{ name: 'commonName', value: 'graph-double' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  const key = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { key, cert: forge.pki.certificateToPem(cert) };
}
