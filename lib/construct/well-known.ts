/**
 * Identifiers Microsoft publishes and that are the same in every tenant and national cloud.
 * Source: Microsoft Graph permissions reference (learn.microsoft.com/graph/permissions-reference) and
 * the Appendix A manifest of Veeam's Restore Portal article.
 */

/** Application (client) ID of Microsoft Graph, the resource of `User.Read`. */
export const MICROSOFT_GRAPH_CLIENT_ID = '00000003-0000-0000-c000-000000000000';

/** ID of Microsoft Graph's delegated permission `User.Read` (sign in and read user profile). */
export const GRAPH_USER_READ_SCOPE_ID = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';

/** Claim value of `User.Read` as it appears in an OAuth2 permission grant. */
export const GRAPH_USER_READ_CLAIM = 'User.Read';

/** The scope VB365's Restore Portal requests; the value is fixed by VB365. */
export const ACCESS_AS_USER = 'access_as_user';

/** Consent texts of the `access_as_user` scope, worded as in Veeam's article (Appendix A manifest). */
export const ARTICLE_CONSENT_TEXTS = {
  adminConsentDisplayName: 'Access Veeam Backup for Microsoft 365 Restore Portal',
  adminConsentDescription: 'Allows access to Veeam Backup for Microsoft 365 Restore Portal as the signed-in user',
  userConsentDisplayName: 'Access Veeam Backup for Microsoft 365 Restore Portal',
  userConsentDescription: 'Allows access to Veeam Backup for Microsoft 365 Restore Portal on your behalf',
} as const;

/** Display name of the registration in Veeam's article. */
export const DEFAULT_DISPLAY_NAME = 'VB365 Restore Portal';
