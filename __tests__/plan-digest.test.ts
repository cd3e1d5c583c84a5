import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../lib/process/command-line';
import { runDigest, unplannedStackDigest } from '../lib/review/report/plan-digest';
import { readPlanJson } from '../lib/review/report/terraform-plan';
import { FIXTURES } from './support/builders';
import { planFixture } from './support/plans';

const digestOf = (plan: unknown) => readPlanJson(JSON.stringify(plan), 'plan.json').digest;
const change = (plan: any, address: string) => plan.resource_changes.find((c: any) => c.address === address).change;
const CERTIFICATE = 'azuread_application_certificate.portal_8081ce44adf557be7f269132ed4d6f8139cff2fa';
const SPA = 'azuread_application_redirect_uris.portal_spa';

/** The real plan with two changes, as Terraform plans them: a second redirect URI and a certificate replaced. */
function realPlanWithChanges(): any {
  const plan = planFixture('real-no-changes');
  const spa = plan.resource_changes.find((c: any) => c.type === 'azuread_application_redirect_uris').change;
  spa.actions = ['update'];
  spa.after.redirect_uris = [...spa.after.redirect_uris, 'https://restore2.example.com:4443'];
  const certificate = plan.resource_changes.find((c: any) => c.type === 'azuread_application_certificate').change;
  certificate.actions = ['create', 'delete'];
  certificate.after = { ...certificate.after, key_id: undefined, id: undefined, value: readFileSync(join(FIXTURES, 'certs/second.cer'), 'utf8') };
  certificate.after_unknown = { id: true, key_id: true };
  return JSON.parse(JSON.stringify(plan));
}

/** Every object's keys in reverse order, at every depth. */
function keysReversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysReversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, keysReversed(item)]));
}

describe('plan digest', () => {
  test('is 64 hex digits, and the same for every plan that changes nothing, whatever it holds besides', () => {
    const real = digestOf(planFixture('real-no-changes'));
    expect(real).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(planFixture('no-changes'))).toBe(real);
  });

  test('two plans of the same changes that differ only in what Terraform adds around them have one digest', () => {
    const plan = realPlanWithChanges();
    const again = keysReversed(realPlanWithChanges()) as any;
    again.timestamp = '2026-12-24T18:00:00Z';
    again.terraform_version = '1.11.5';
    again.format_version = '1.3';
    again.resource_changes.reverse();
    again.output_changes = keysReversed(again.output_changes);
    again.resource_drift = [];
    delete again.prior_state;
    delete again.configuration;
    delete again.relevant_attributes;
    // A null attribute and a missing one mean the same to Terraform.
    delete change(again, SPA).after.timeouts;
    expect(digestOf(again)).toBe(digestOf(plan));
    expect(digestOf(plan)).not.toBe(digestOf(planFixture('real-no-changes')));
  });

  // Each case changes one planned change of a fixture and nothing else.
  test.each<[string, string, (plan: any) => void]>([
    ['a changed redirect URI', 'redirect-uri-added', (plan) => (change(plan, SPA).after.redirect_uris[1] = 'https://restore3.example.com:4443')],
    ['redirect URIs in another order', 'redirect-uri-added', (plan) => change(plan, SPA).after.redirect_uris.reverse()],
    ['another certificate (a sensitive value)', 'new-environment', (plan) => (change(plan, CERTIFICATE).after.value = readFileSync(join(FIXTURES, 'certs/second.cer'), 'utf8'))],
    ['a certificate end date', 'new-environment', (plan) => (change(plan, CERTIFICATE).after.end_date = '2030-01-01T00:00:00Z')],
    ['another grant', 'new-environment', (plan) => (change(plan, 'azuread_service_principal_delegated_permission_grant.portal_microsoft_graph').after.claim_values = ['User.Read', 'Mail.Read'])],
    ['destroy before create instead of create before destroy', 'danger-registration-replaced', (plan) => change(plan, 'azuread_application_registration.portal').actions.reverse()],
    ['a value known at plan time instead of after apply', 'new-environment', (plan) => {
      const identifier = change(plan, 'azuread_application_identifier_uri.portal');
      identifier.after_unknown.identifier_uri = false;
      identifier.after.identifier_uri = 'api://0d3f5a6b-0000-0000-0000-000000000000';
    }],
    ['a sensitive value no longer marked sensitive', 'new-environment', (plan) => (change(plan, CERTIFICATE).after_sensitive = {})],
    ['another import ID', 'no-changes', (plan) => (change(plan, 'azuread_application_registration.portal').importing = { id: '/applications/00000000-0000-0000-0000-000000000001' })],
    ['a moved resource', 'no-changes', (plan) => (plan.resource_changes[0].previous_address = 'azuread_application_registration.old')],
    ['an output value', 'new-environment', (plan) => (plan.output_changes.tenant_id.after = '99999999-2222-3333-4444-555555555555')],
    ['an unchanged resource now updated', 'redirect-uri-added', (plan) => {
      const registration = change(plan, 'azuread_application_registration.portal');
      registration.actions = ['update'];
      registration.after.display_name = 'Restore Portal';
    }],
  ])('changes with %s', (_, fixture, alter) => {
    const plan = planFixture(fixture);
    const altered = planFixture(fixture);
    alter(altered);
    expect(digestOf(altered)).not.toBe(digestOf(plan));
  });

  test('an attribute named like an object internal is an attribute like any other', () => {
    const plan = planFixture('redirect-uri-added');
    const one = JSON.parse(JSON.stringify(plan).replace('"type":"SPA"', '"__proto__":{"a":1},"type":"SPA"'));
    const two = JSON.parse(JSON.stringify(plan).replace('"type":"SPA"', '"__proto__":{"a":2},"type":"SPA"'));
    expect(digestOf(one)).not.toBe(digestOf(two));
  });

  test('a hostile plan nested deeper than Terraform nests is refused in one line, not with a stack overflow', () => {
    const plan = planFixture('redirect-uri-added');
    change(plan, SPA).after.timeouts = 'DEEP';
    const text = JSON.stringify(plan).replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => readPlanJson(text, 'plan.json')).toThrow(UserError);
    expect(() => readPlanJson(text, 'plan.json')).toThrow('plan.json: is not Terraform plan JSON (nested more than 100 levels deep, which no file this tool reads is); make it with terraform show -json <planfile>');
  });

  test('a customer tenant stack that is not planned yet has a digest of its own, naming what it waits for', () => {
    expect(unplannedStackDigest('prod')).toMatch(/^[0-9a-f]{64}$/);
    expect(unplannedStackDigest('prod')).not.toBe(unplannedStackDigest('test'));
    expect(unplannedStackDigest('prod')).not.toBe(digestOf(planFixture('no-changes')));
  });
});

describe('digest of a run', () => {
  const prod = { environment: 'prod', digest: digestOf(planFixture('redirect-uri-added')) };
  const tenant = { environment: 'prod-tenant-contoso', digest: digestOf(planFixture('no-changes')) };

  test('is the report digest when the run has one report', () => {
    expect(runDigest([prod])).toBe(prod.digest);
  });

  test('covers every report with its name, in any order', () => {
    expect(runDigest([prod, tenant])).toBe(runDigest([tenant, prod]));
    expect(runDigest([prod, tenant])).not.toBe(runDigest([prod, { ...tenant, environment: 'prod-tenant-fabrikam' }]));
    expect(runDigest([prod, tenant])).not.toBe(runDigest([prod, { ...tenant, digest: prod.digest }]));
    expect(runDigest([prod, tenant])).not.toBe(runDigest([prod]));
  });
});
