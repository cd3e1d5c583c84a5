import { parseJson } from '../input/json-text';
import { clip } from '../process/problem';
import { isPlainObject } from '../input/field-reader';
import type { GraphEndpoints } from './graph-endpoints';

/**
 * Reading Microsoft Graph v1.0 with plain fetch, treating every answer as hostile input: a timeout
 * per request, bounded retries of throttling (429, 503, 504) that honour Retry-After up to a cap,
 * answers of bounded size and depth, `@odata.nextLink` followed only on the same Graph, redirects
 * never followed (the token would go with them), and one line for each way a read can fail.
 */

/** How a read failed; the audit turns each into its own explanation. */
export type GraphErrorKind =
  | 'sign-in'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'throttled'
  | 'timeout'
  | 'unreachable'
  | 'malformed'
  | 'failed';

/** A read that failed, in one line that quotes no token and at most a short, escaped-later piece of Graph's message. */
export class GraphError extends Error {
  constructor(
    readonly kind: GraphErrorKind,
    message: string,
    /** The HTTP status, when Graph answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** What a read is, for messages: what it reads and the application permission that lets it. */
export interface GraphRead {
  /** "the application", "the owners of the service principal". */
  readonly what: string;
  /** The least Microsoft Graph application permission that reads it. */
  readonly permission: string;
}

export interface GraphClientOptions {
  readonly endpoints: GraphEndpoints;
  readonly tenantId: string;
  /** An access token for this tenant. */
  readonly token: () => Promise<string>;
  /** How long one request may take. @default 30 s */
  readonly timeoutMs?: number;
  /** Attempts of a throttled or timed-out request, the first included. @default 5 */
  readonly attempts?: number;
  /** The longest wait between attempts, whatever Retry-After asks. @default 30 s */
  readonly maxRetryWaitMs?: number;
  /** Told of each retry, for progress on stderr. */
  readonly onRetry?: (message: string) => void;
}

/** A page of a list is at most a few MB even for Graph's largest objects; a single object far less. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** More than any registration has: a hostile or looping `@odata.nextLink` ends here. */
const MAX_PAGES = 200;
const MAX_ITEMS = 20_000;
/**
 * What a list's pages may hold together: a registration's owners, grants or credentials are a few
 * KiB. Without it, pages of the largest answer each would hold over a GB in memory before MAX_PAGES.
 */
const MAX_LIST_BYTES = 2 * MAX_ANSWER_BYTES;
const RETRIED = new Set([429, 503, 504]);

/** The Graph of one tenant. */
export class GraphClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly maxRetryWaitMs: number;

  constructor(private readonly options: GraphClientOptions) {
    this.base = `${options.endpoints.graph}/v1.0`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = options.attempts ?? 5;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
  }

  /** One object: `path` is below /v1.0 (`/applications(appId='...')?$select=...`). */
  async get(path: string, read: GraphRead): Promise<Record<string, unknown>> {
    const value = await this.request(`${this.base}${path}`, read);
    if (!isPlainObject(value)) throw new GraphError('malformed', `Graph's answer for ${read.what} is not a JSON object`);
    return value;
  }

  /** Every item of a list, following `@odata.nextLink` on this Graph only. */
  async list(path: string, read: GraphRead): Promise<unknown[]> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    const count = (text: string) => {
      bytes += Buffer.byteLength(text);
      if (bytes > MAX_LIST_BYTES) throw new GraphError('malformed', `Graph's answer for ${read.what} runs to more than ${sizeOf(MAX_LIST_BYTES)} over its pages, more than it can be: not read to the end`);
    };
    let url: string | undefined = `${this.base}${path}`;
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_PAGES || seen.has(url)) {
        throw new GraphError('malformed', `Graph's answer for ${read.what} goes on for more than ${MAX_PAGES} pages, or back to a page it gave: not read to the end`);
      }
      seen.add(url);
      const answer = await this.request(url, read, count);
      if (!isPlainObject(answer) || !Array.isArray(answer.value)) {
        throw new GraphError('malformed', `Graph's answer for ${read.what} is not a list ({ "value": [...] } expected)`);
      }
      items.push(...answer.value);
      if (items.length > MAX_ITEMS) throw new GraphError('malformed', `Graph's answer for ${read.what} lists more than ${MAX_ITEMS} items: not read to the end`);
      url = this.nextLink(answer['@odata.nextLink'], read);
    }
    return items;
  }

  /** The next page's address, refused unless it is on this Graph: the token goes with the request. */
  private nextLink(link: unknown, read: GraphRead): string | undefined {
    if (link === undefined || link === null) return undefined;
    if (typeof link !== 'string') throw new GraphError('malformed', `Graph's answer for ${read.what} has an @odata.nextLink that is not a URL`);
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw new GraphError('malformed', `Graph's answer for ${read.what} has an @odata.nextLink that is not a URL`);
    }
    const base = new URL(this.base);
    if (url.origin !== base.origin || !url.pathname.startsWith(`${base.pathname}/`) || url.username !== '' || url.password !== '') {
      throw new GraphError(
        'malformed',
        `Graph's answer for ${read.what} points its next page elsewhere (${url.protocol}//${url.host}): not followed, since the token would go with it`,
      );
    }
    return url.href;
  }

  private async request(url: string, read: GraphRead, onText?: (text: string) => void): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.attempts;
      const token = await this.options.token();
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          // A redirect would take the token along to wherever it points.
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        const problem = requestProblem(error, this.timeoutMs);
        if (problem.kind === 'timeout' && !last) {
          await this.wait(this.backoff(attempt), `no answer from Graph within ${this.timeoutMs / 1000} s reading ${read.what}`);
          continue;
        }
        throw new GraphError(problem.kind, `${problem.message} reading ${read.what} from ${new URL(url).host}${attempt > 1 ? ` (${attempt} attempts)` : ''}`);
      }
      let text: string;
      try {
        text = await readBody(response, MAX_ANSWER_BYTES, `Graph's answer for ${read.what}`);
      } catch (error) {
        if (error instanceof GraphError && error.kind === 'timeout' && !last) {
          await this.wait(this.backoff(attempt), `Graph's answer for ${read.what} did not arrive within ${this.timeoutMs / 1000} s`);
          continue;
        }
        throw error;
      }
      if (RETRIED.has(response.status) && !last) {
        const asked = retryAfterMs(response.headers.get('retry-after'));
        await this.wait(Math.min(asked ?? this.backoff(attempt), this.maxRetryWaitMs), `Graph answered ${response.status} reading ${read.what}`);
        continue;
      }
      if (response.status >= 200 && response.status < 300) {
        onText?.(text);
        const parsed = parseJson(text);
        if ('problem' in parsed) throw new GraphError('malformed', `Graph's answer for ${read.what} ${parsed.problem}`, response.status);
        return parsed.value;
      }
      throw failure(response.status, text, read, this.options.tenantId, attempt);
    }
  }

  /** 1, 2, 4, 8 s... capped: for throttling without Retry-After, and timeouts. */
  private backoff(attempt: number): number {
    return Math.min(1000 * 2 ** (attempt - 1), this.maxRetryWaitMs);
  }

  private async wait(ms: number, why: string): Promise<void> {
    this.options.onRetry?.(`${why}; trying again in ${Math.ceil(ms / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function requestProblem(error: unknown, timeoutMs: number): { kind: GraphErrorKind; message: string } {
  const e = error as { name?: string; cause?: { code?: unknown; name?: string }; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError') {
    return { kind: 'timeout', message: `no answer from Graph within ${timeoutMs / 1000} s` };
  }
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : 'no connection';
  return { kind: 'unreachable', message: `could not reach Graph (${code})` };
}

/** What a failed status means for the audit, naming the permission a 403 lacks. */
function failure(status: number, text: string, read: GraphRead, tenantId: string, attempts: number): GraphError {
  const said = graphErrorOf(text);
  const quoted = said ? ` ${said}` : '';
  if (status === 401) {
    return new GraphError('unauthorized', `Graph did not accept the identity's token in tenant ${tenantId} reading ${read.what} (401${quoted})`, status);
  }
  if (status === 403) {
    return new GraphError(
      'forbidden',
      `the identity may not read ${read.what} in tenant ${tenantId} (403${quoted}): give it the Microsoft Graph application permission ${read.permission}, with admin consent in that tenant`,
      status,
    );
  }
  if (status === 404) return new GraphError('not-found', `Graph has no ${read.what} in tenant ${tenantId} (404${quoted})`, status);
  if (RETRIED.has(status)) return new GraphError('throttled', `Graph kept answering ${status} reading ${read.what} after ${attempts} attempts${said ? ` (${said})` : ''}: try again later`, status);
  if (status >= 300 && status < 400) return new GraphError('malformed', `Graph answered with a redirect (${status}) reading ${read.what}: not followed, since the token would go with it`, status);
  return new GraphError('failed', `Graph answered ${status} reading ${read.what}${said ? ` (${said})` : ''}`, status);
}

/** Graph's own `error.code: error.message`, short; undefined when the answer is no Graph error. */
function graphErrorOf(text: string): string | undefined {
  const parsed = parseJson(text);
  if ('problem' in parsed || !isPlainObject(parsed.value) || !isPlainObject(parsed.value.error)) return undefined;
  const { code, message } = parsed.value.error;
  const said = [code, message].filter((part): part is string => typeof part === 'string' && part !== '').join(': ');
  if (said === '') return undefined;
  const line = said.replace(/\s+/g, ' ');
  return clip(line, 200);
}

/**
 * A response body as text, at most `limit` bytes: a longer one is refused, not cut, since a cut
 * JSON list would read as fewer items. A body that stops arriving is a timeout.
 */
export async function readBody(response: Response, limit: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new GraphError('malformed', `${what} is larger than ${sizeOf(limit)}, more than it can be`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw new GraphError('malformed', `${what} is larger than ${sizeOf(limit)}, more than it can be`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof GraphError) throw error;
    const e = error as { name?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') throw new GraphError('timeout', `${what} did not arrive in time`);
    throw new GraphError('unreachable', `${what} broke off`);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function sizeOf(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}
