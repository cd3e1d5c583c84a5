import { explainPlanFailure } from '../lib/review/plan-failure';
import { readDiagnostics } from '../lib/process/terraform-diagnostics';

const APP = '6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10';

/** A diagnostic as `terraform plan -no-color` prints it, in its box. */
function boxed(summary: string, ...lines: string[]): string {
  return ['╷', `│ Error: ${summary}`, '│ ', ...lines.map((line) => `│ ${line}`), '╵', ''].join('\n');
}

/** What terraform 1.11 prints when the refresh reads a part of a registration that was deleted. */
const PART_NOT_FOUND = boxed(
  `retrieving application with object ID "${APP}": unexpected status 404 (404 Not Found) with error: Request_ResourceNotFound: Resource '${APP}' does not exist or one of its queried reference-property objects are not present.`,
  '',
  '  with azuread_application_pre_authorized.portal_self,',
  '  on cdk.tf.json line 187, in resource.azuread_application_pre_authorized.portal_self:',
  ' 187:       }',
);

/** What terraform 1.11 prints when the plan would replace the service principal, which carries prevent_destroy. */
const SERVICE_PRINCIPAL_PROTECTED = boxed(
  'Instance cannot be destroyed',
  '',
  '  on cdk.tf.json line 243, in resource.azuread_service_principal.portal:',
  ' 243:       "portal": {',
  '',
  'Resource azuread_service_principal.portal has lifecycle.prevent_destroy',
  'set, but the plan calls for this resource to be destroyed. To avoid this',
  'error and continue with the plan, either disable lifecycle.prevent_destroy',
  'or reduce the scope of the plan using the -target option.',
);

describe('reading terraform diagnostics', () => {
  test('reads summary, the wrapped detail and the resource of each boxed diagnostic', () => {
    expect(readDiagnostics(`Planning...\n${SERVICE_PRINCIPAL_PROTECTED}${PART_NOT_FOUND}`)).toEqual([
      {
        severity: 'error',
        summary: 'Instance cannot be destroyed',
        detail: expect.stringContaining('has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid'),
        address: 'azuread_service_principal.portal',
      },
      expect.objectContaining({ summary: expect.stringMatching(/^retrieving application/), address: 'azuread_application_pre_authorized.portal_self' }),
    ]);
  });

  test('reads diagnostics printed without boxes, and warnings apart from errors', () => {
    const plain = 'Warning: Deprecated attribute\n\nsomething\n\nError: Error acquiring the state lock\n\nLock Info:\n  ID: 1234\n';
    expect(readDiagnostics(plain).map((d) => [d.severity, d.summary, d.address])).toEqual([
      ['warning', 'Deprecated attribute', undefined],
      ['error', 'Error acquiring the state lock', undefined],
    ]);
  });
});

describe('a failed plan, explained', () => {
  test('a part of the registration read as 404: the registration was deleted; restore it within 30 days', () => {
    const explanation = explainPlanFailure(PART_NOT_FOUND, 'prod');
    expect(explanation).toMatch(/^the application registration was deleted in Entra \(terraform: retrieving application .*, azuread_application_pre_authorized\.portal_self\)\. /);
    expect(explanation).toContain('Restore it within 30 days of its deletion (Entra admin center → App registrations → Deleted applications');
    expect(explanation).toContain('then plan again');
    expect(explanation).toContain('terraform -chdir=cdktf.out/stacks/prod state list');
    expect(explanation).toContain('Set-VBORestorePortalSettings -ApplicationId');
  });

  test('prevent_destroy refusing to replace the service principal: the same', () => {
    expect(explainPlanFailure(SERVICE_PRINCIPAL_PROTECTED, 'prod')).toMatch(
      /^the application registration was deleted in Entra \(terraform: Instance cannot be destroyed, azuread_service_principal\.portal\)/,
    );
  });

  test('an adopted registration its deploying identity does not own yet: who to make an owner, and how', () => {
    const deployer = 'dddddddd-0000-4000-8000-00000000000d';
    const address = `azuread_application_owner.portal_${deployer.replace(/-/g, '')}`;
    const output = boxed(
      'Cannot import non-existent remote object',
      '',
      'While attempting to import an existing object to',
      `"${address}", the provider detected that no object exists with the given id.`,
    );
    const explanation = explainPlanFailure(output, 'prod');
    expect(explanation).toMatch(new RegExp(`^${deployer} does not own the adopted registration \\(terraform found nothing to import for ${address}\\)\\. `));
    expect(explanation).toContain(`az ad app owner add --id <application ID> --owner-object-id ${deployer}`);
    expect(explanation).toContain('Enterprise applications → the application → Owners → Add');
  });

  test('another part of an adoption not found: check the adopt IDs with the doctor', () => {
    const output = boxed('Cannot import non-existent remote object', 'While attempting to import an existing object to "azuread_application_registration.portal", the provider detected that no object exists with the given id.');
    expect(explainPlanFailure(output, 'prod')).toBe(
      'terraform found nothing to import for azuread_application_registration.portal: check the adopt IDs against the registration (npm run doctor -- <manifest.json> --env prod).',
    );
  });

  test.each([
    ['the state lock', boxed('Error acquiring the state lock', 'Lock Info:', '  ID: 1234')],
    ['a consent grant that is gone', boxed('unexpected status 404 (404 Not Found)', '  with azuread_service_principal_delegated_permission_grant.portal_self,')],
    ['prevent_destroy on the registration, which a plan asks for on purpose', boxed('Instance cannot be destroyed', 'Resource azuread_application_registration.portal has lifecycle.prevent_destroy set')],
  ])('leaves %s to terraform\'s own words', (_, output) => {
    expect(explainPlanFailure(output, 'prod')).toBeUndefined();
  });
});

describe('a stack whose azurerm state does not exist yet', () => {
  /** What `terraform init` prints when the azurerm backend finds no state and may not create it (Storage Blob Data Reader). */
  const NO_STATE = boxed(
    'Error loading state: failed to lock azure state: AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission.',
  );

  // A stack without state is planned against an empty state before its failure is explained
  // (empty-state.ts): what gets here is a state that vanished between init and plan.
  test('an identity that cannot create it: the one that applies needs Storage Blob Data Contributor, and a state once applied may have been deleted', () => {
    expect(explainPlanFailure(NO_STATE, 'prod-tenant-contoso')).toMatch(
      /^the state of prod-tenant-contoso does not exist, and Terraform's azurerm backend creates it \(under a blob lease\) before it plans, which this identity may not \(terraform: .*\): the identity that applies needs Storage Blob Data Contributor on the container; if prod-tenant-contoso was applied before, check that nobody deleted its state blob\.$/,
    );
  });

  test('recognised also as the bare line terraform init prints it, outside a diagnostic box', () => {
    const bare = 'Initializing the backend...\nError loading state: failed to lock azure state: AuthorizationPermissionMismatch\n';
    expect(explainPlanFailure(bare, 'prod')).toMatch(/^the state of prod does not exist, .*\(terraform: Error loading state: failed to lock azure state: AuthorizationPermissionMismatch\):/);
  });

  test('a lease already held means another run is creating it: plan again later', () => {
    const held = boxed('Error loading state: failed to lock azure state: state blob is already locked');
    expect(explainPlanFailure(held, 'prod')).toMatch(/^the state of prod is being created by another terraform run right now .*plan again once it has finished\.$/);
  });
});
