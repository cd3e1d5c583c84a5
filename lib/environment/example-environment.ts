/**
 * The tenant ID that marks an environment as an example: it is no Entra tenant, so an example
 * synthesizes (offline, as a demonstration) but is never planned, applied or checked for drift.
 * An example is one by this content, whatever its file is called.
 */
export const EXAMPLE_TENANT_ID = '00000000-0000-0000-0000-000000000000';

export function isExample(environment: { readonly tenantId: string }): boolean {
  return environment.tenantId === EXAMPLE_TENANT_ID;
}

/** Why a command that talks to Entra passes an example by. */
export function exampleNote(environment: { readonly file: string }): string {
  return `${environment.file}: an example (tenantId ${EXAMPLE_TENANT_ID}): synthesized, but never planned, applied or checked; put in your tenant ID to make it an environment`;
}
