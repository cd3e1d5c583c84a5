// cdktf is pinned at its last release (0.21.0), so this private module does not move under us.
import cdktfStackTraces = require('cdktf/lib/tokens/private/stack-trace');

/**
 * cdktf captures a full stack trace for every token it creates (each attribute reference such as
 * `registration.clientId`, and every computed list a provider class sets up), only to show it if
 * that token later fails to resolve. That is a tenth of synthesis time at 100 environments, and our
 * tokens always resolve: while `body` runs, none are captured.
 */
export function withoutTokenStackTraces<T>(body: () => T): T {
  const capture = cdktfStackTraces.captureStackTrace;
  cdktfStackTraces.captureStackTrace = () => [];
  try {
    return body();
  } finally {
    cdktfStackTraces.captureStackTrace = capture;
  }
}
