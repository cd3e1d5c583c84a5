/**
 * cdktf captures a full stack trace, formatted as text, for every token it creates (each attribute
 * reference such as `registration.clientId`), only to show it if that token later fails to resolve.
 * Formatting those traces is about a third of synthesis time at 100 environments. While `body` runs,
 * traces captured into plain objects (cdktf's way) are left unformatted; real errors keep theirs.
 */
export function withoutTokenStackTraces<T>(body: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target, callSites) => {
    if (!(target instanceof Error)) return '';
    if (previous) return previous(target, callSites);
    return [String(target), ...callSites.map((site) => `    at ${site}`)].join('\n');
  };
  try {
    return body();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
