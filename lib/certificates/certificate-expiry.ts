/**
 * When a certificate's expiry needs attention. One rule for synth's warnings and `npm run certs`, so
 * both name the same certificates.
 */

/** How many days before expiry a certificate is reported, unless the environment sets `expiryWarningDays`. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ExpiryStatus = 'valid' | 'expiring' | 'expired';

export interface Expiry {
  /** `expiring` when it expires within the warning window, `expired` when it no longer is valid. */
  readonly status: ExpiryStatus;
  /** Whole days until expiry, rounded down; negative once expired. */
  readonly daysLeft: number;
}

export function expiryOf(notAfter: Date, now: Date, warningDays: number): Expiry {
  const left = notAfter.getTime() - now.getTime();
  const daysLeft = Math.floor(left / DAY_MS);
  if (left <= 0) return { status: 'expired', daysLeft };
  return { status: left <= warningDays * DAY_MS ? 'expiring' : 'valid', daysLeft };
}

/** "in 12 days", "in less than a day": for messages about a certificate that has not expired yet. */
export function describeDaysLeft(daysLeft: number): string {
  if (daysLeft <= 0) return 'in less than a day';
  return `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
}
