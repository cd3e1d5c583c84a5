import { readDiagnostics, unboxed, type TerraformDiagnostic } from '../process/terraform-diagnostics';

/**
 * What a failed `terraform init` or `terraform plan` means for the Restore Portal, and what to do, when its errors are
 * ones this project knows; undefined otherwise (Terraform's own message is then the best there is).
 * A pure function of Terraform's output, so it works with any way of running Terraform.
 */
export function explainPlanFailure(output: string, stack: string): string | undefined {
  const errors = readDiagnostics(output).filter((d) => d.severity === 'error');
  const deleted = errors.find(showsDeletedRegistration);
  if (deleted) return deletedRegistration(deleted, stack);
  const notImported = errors.find((d) => d.summary === 'Cannot import non-existent remote object' && d.address !== undefined);
  if (notImported) return nothingToImport(notImported.address!, stack);
  // `terraform init` prints this one as a bare line, not as a diagnostic. A stack without state is
  // planned against an empty one before its failure gets here (empty-state.ts), except by the apply gate,
  // whose identity must create it: what is left is that, a state another run is creating, or one gone.
  const noState = azureStateCreationError(output);
  if (noState) return stateNotCreated(noState.line, noState.leaseHeld, stack);
  return undefined;
}

/** Terraform's azurerm backend could not create a stack's missing state (empty-state.ts says when). */
const AZURE_STATE_CREATION = /failed to lock azure state/i;
/** Another run holds the lease: it is creating the state right now, so there is a state to wait for. */
const LEASE_HELD = /already locked|LeaseAlreadyPresent/i;

/** The line of Terraform's output that says the azurerm backend could not create a missing state, if it says so. */
export function azureStateCreationError(output: string): { readonly line: string; readonly leaseHeld: boolean } | undefined {
  const line = output
    .split('\n')
    .map((l) => unboxed(l).replace(/^Error: /, '').trim())
    .find((l) => AZURE_STATE_CREATION.test(l));
  return line === undefined ? undefined : { line, leaseHeld: LEASE_HELD.test(output) };
}

function stateNotCreated(error: string, leaseHeld: boolean, stack: string): string {
  if (leaseHeld) return `the state of ${stack} is being created by another terraform run right now (terraform: ${error}); plan again once it has finished.`;
  return `the state of ${stack} does not exist, and Terraform's azurerm backend creates it (under a blob lease) before it plans, which this identity may not (terraform: ${error}): the identity that applies needs Storage Blob Data Contributor on the container; if ${stack} was applied before, check that nobody deleted its state blob.`;
}

/** Types whose objects are parts of the registration: reading any of them reads the registration. */
const REGISTRATION_PART = /^azuread_application(_[a-z_]+)?$/;
/** How Microsoft Graph, and the provider after it, say an object is gone. */
const NOT_FOUND = /\b404\b|Request_ResourceNotFound|\bwas not found\b|\bdoes not exist\b/i;

/**
 * A deleted registration shows as reads of its parts that find nothing, or as `prevent_destroy`
 * refusing to replace the service principal, whose client ID the registration no longer has.
 */
function showsDeletedRegistration(diagnostic: TerraformDiagnostic): boolean {
  const type = diagnostic.address?.split('.')[0] ?? '';
  if (diagnostic.summary === 'Instance cannot be destroyed') return type === 'azuread_service_principal';
  return REGISTRATION_PART.test(type) && NOT_FOUND.test(`${diagnostic.summary} ${diagnostic.detail}`);
}

function deletedRegistration(diagnostic: TerraformDiagnostic, stack: string): string {
  return `the application registration was deleted in Entra (terraform: ${diagnostic.summary}, ${diagnostic.address}). ${deletedRegistrationAdvice(stack)}`;
}

/**
 * What to do about a registration deleted in Entra, whether a live plan or a saved one shows it:
 * the same words, so that `--plan-json` of the failed plan says what the live plan said.
 */
export function deletedRegistrationAdvice(stack: string): string {
  return [
    `${DELETED_REGISTRATION_CONSEQUENCE}, so nothing is planned.`,
    deletedRegistrationRemedy(stack),
  ].join(' ');
}

/** Why a deleted registration must not simply be applied again: the one explanation plan, drift and audit give. */
export const DELETED_REGISTRATION_CONSEQUENCE = 'Applying would register a new one with a new Application ID, which every VB365 server would need';

/** What to do about a registration deleted in Entra: restore it, or after 30 days start over; `stack` is the environment's. */
export function deletedRegistrationRemedy(stack: string): string {
  return [
    "Restore it within 30 days of its deletion (Entra admin center → App registrations → Deleted applications → the registration → Restore app registration), then plan again.",
    `After 30 days it is gone: remove its resources from the state (terraform -chdir=cdktf.out/stacks/${stack} state list, then state rm each azuread_ one), adopt a registration or let the next apply create one, and give every VB365 server its Application ID (Set-VBORestorePortalSettings -ApplicationId).`,
  ].join(' ');
}

function nothingToImport(address: string, stack: string): string {
  const owner = /^azuread_application_owner\.[\w-]*?([0-9a-f]{32})$/.exec(address)?.[1];
  if (owner) {
    const id = `${owner.slice(0, 8)}-${owner.slice(8, 12)}-${owner.slice(12, 16)}-${owner.slice(16, 20)}-${owner.slice(20)}`;
    return [
      `${id} does not own the adopted registration (terraform found nothing to import for ${address}).`,
      'An identity with Application.ReadWrite.OwnedBy can neither make itself an owner nor change a registration it does not own:',
      `an administrator makes ${id} an owner of the registration (az ad app owner add --id <application ID> --owner-object-id ${id}) and of its service principal (Enterprise applications → the application → Owners → Add), then plan again.`,
      'For one of owners that should be added rather than imported, drop it from adopt.existingOwners instead.',
    ].join(' ');
  }
  return `terraform found nothing to import for ${address}: check the adopt IDs against the registration (npm run doctor -- <manifest.json> --env ${stack}).`;
}
