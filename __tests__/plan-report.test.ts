import { colorsFor } from '../lib/process/command-line';
import { formatReports, reviewExitCode } from '../lib/review/report/plan-report-format';
import { hasChanges } from '../lib/review/report/plan-report';
import { readPlanJson } from '../lib/review/report/terraform-plan';
import { describeChange } from '../lib/review/report/resource-wording';
import { runDigest } from '../lib/review/report/plan-digest';
import { messages, planFixture, reportOf } from './support/plans';

const CERTIFICATE = 'azuread_application_certificate.portal_8081ce44adf557be7f269132ed4d6f8139cff2fa';
const plain = colorsFor({});

describe('plan report', () => {
  test('says there is nothing to do when Entra matches the code', () => {
    const report = reportOf(planFixture('no-changes'));
    expect(hasChanges(report)).toBe(false);
    expect(reviewExitCode([report])).toBe(0);
    expect(formatReports([report], 'plan', 'text', plain)).toBe(`prod: no changes: Entra matches the code\n  digest ${report.digest}\n`);
  });

  describe('on a plan made by real Terraform (fixtures/plans/real-no-changes.json)', () => {
    const real = () => planFixture('real-no-changes');
    const drifted = (plan: any, address: string) => plan.resource_drift.find((entry: any) => entry.address === address);

    test('reports no changes, and exits 0, where Terraform said "No changes"', () => {
      const report = reportOf(real(), 'example');
      expect(report).toEqual({ environment: 'example', terraformVersion: '1.11.4', dangers: [], drift: [], changes: [], digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(reviewExitCode([report])).toBe(0);
    });

    test('still finds a redirect URI added in the portal among the values the provider only filled in', () => {
      const plan = real();
      const spa = plan.resource_changes.find((entry: any) => entry.type === 'azuread_application_redirect_uris');
      const uris = spa.change.before.redirect_uris;
      plan.resource_drift.push({ ...spa, change: { ...spa.change, actions: ['update'], after: { ...spa.change.before, redirect_uris: [...uris, 'https://rogue.example.com'] } } });
      spa.change = { ...spa.change, actions: ['update'], before: { ...spa.change.before, redirect_uris: [...uris, 'https://rogue.example.com'] } };
      const report = reportOf(plan, 'example');
      expect(messages(report.drift)).toEqual(['redirect URI https://rogue.example.com added outside Terraform']);
      expect(messages(report.changes)).toEqual(['redirect URI https://rogue.example.com removed again (it was added outside Terraform)']);
    });

    test('reports an owner added to the service principal in the portal, but not owners going from null to none', () => {
      const plan = real();
      drifted(plan, 'azuread_service_principal.portal').change.after.owners = ['aaaaaaaa-0000-4000-8000-000000000009'];
      expect(messages(reportOf(plan, 'example').drift)).toEqual(['service principal owner aaaaaaaa-0000-4000-8000-000000000009 added outside Terraform']);
    });

    test('reports an attribute without words of its own only when applying the code would revert it', () => {
      const plan = real();
      const registration = drifted(plan, 'azuread_application_registration.portal');
      registration.change.after.description = 'edited in the portal';
      expect(reportOf(plan, 'example').drift).toEqual([]);
      const change = plan.resource_changes.find((entry: any) => entry.address === 'azuread_application_registration.portal');
      change.change = { ...change.change, actions: ['update'], before: { ...change.change.before, description: 'edited in the portal' } };
      expect(messages(reportOf(plan, 'example').drift)).toEqual([
        'application registration "VB365 Restore Portal": description changed outside Terraform: none → edited in the portal',
      ]);
    });
  });

  test('compares values as the provider does: null, "", [] and {} are nothing, lists have no order, and "none → none" is never a line', () => {
    const plan = planFixture('no-changes');
    const entry = (type: string, before: object, after: object) => ({
      address: `${type}.portal`,
      mode: 'managed',
      type,
      name: 'portal',
      change: { actions: ['update'], before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
    });
    plan.resource_drift = [
      entry('azuread_application_redirect_uris', { redirect_uris: ['https://a.example.com', 'https://b.example.com'] }, { redirect_uris: ['https://b.example.com', 'https://a.example.com'] }),
      entry('tls_private_key', { ecdsa_curve: null, labels: {}, notes: '', saml: [] }, { ecdsa_curve: '', labels: null, notes: null, saml: [{ relay_state: '' }] }),
    ];
    const report = reportOf(plan);
    expect(report.drift).toEqual([]);
    plan.resource_drift.push(entry('tls_private_key', { labels: null }, { labels: [''] }));
    expect(messages(reportOf(plan).drift)).toEqual(['tls_private_key portal: labels changed outside Terraform: none → ""']);
  });

  test('compares lists of nested values in time proportional to their size', () => {
    // Sorting by text that embeds its children's text would double the escaping at every level.
    let nested: unknown = 'x';
    for (let level = 0; level < 60; level++) nested = [nested, 'y'];
    const plan = planFixture('no-changes');
    plan.resource_drift = [
      {
        address: 'tls_private_key.portal',
        mode: 'managed',
        type: 'tls_private_key',
        name: 'portal',
        change: { actions: ['update'], before: { labels: nested }, after: { labels: nested }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
      },
    ];
    expect(reportOf(plan).drift).toEqual([]);
  });

  test('still lists an update Terraform plans where no value changes as the provider compares them', () => {
    const plan = planFixture('no-changes');
    const access = plan.resource_changes.find((c: any) => c.address === 'azuread_application_api_access.portal_microsoft_graph');
    access.change = { ...access.change, actions: ['update'], before: { ...access.change.before, role_ids: null }, after: { ...access.change.after, role_ids: [] } };
    expect(messages(reportOf(plan).changes)).toEqual(['API permissions on Microsoft Graph updated in place, with no change the portal shows']);
  });

  test('a deposed certificate, left by a replacement whose apply did not finish, reads as an older copy whose removal leaves the current one', () => {
    const plan = planFixture('real-no-changes');
    const current = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_certificate');
    const deposed = structuredClone(current);
    deposed.deposed = '5c9b1a2e';
    deposed.change = { ...deposed.change, actions: ['delete'], after: null, after_unknown: {}, after_sensitive: false };
    plan.resource_changes.push(deposed);
    const report = reportOf(plan);
    expect(messages(report.changes)).toEqual([
      expect.stringMatching(/^certificate 2CF7…149D removed \(an older copy that an interrupted replacement left behind; the current one stays\)$/),
    ]);
    expect(report.dangers).toEqual([]);
  });

  test('shows the imports of an adopted registration as changes, and removing its empty redirect entry as harmless', () => {
    const plan = planFixture('no-changes');
    const registration = plan.resource_changes.find((c: { address: string }) => c.address === 'azuread_application_registration.portal');
    registration.change.importing = { id: '/applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10' };
    const spa = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_redirect_uris');
    spa.change.importing = { id: '/applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10/redirectUris/SPA' };
    spa.change.actions = ['update'];
    spa.change.before = { ...spa.change.before, redirect_uris: ['', ...spa.change.after.redirect_uris] };
    const report = reportOf(plan);
    expect(report.changes.map((item) => [item.action, item.message])).toEqual([
      ['import', 'application registration "VB365 Restore Portal" imported as it is in Entra (import ID /applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10)'],
      ['import', expect.stringContaining('imported as it is in Entra (import ID /applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10/redirectUris/SPA)')],
      ['update', 'empty redirect URI entry removed'],
    ]);
    expect(report.dangers).toEqual([]);
    expect(reviewExitCode([report])).toBe(2);
  });

  test('lists what a new environment creates, in the portal words; its one danger is the new registration', () => {
    const report = reportOf(planFixture('new-environment'));
    expect(report.dangers.map((d) => [d.type, d.action])).toEqual([['azuread_application_registration', 'create']]);
    expect(report.drift).toEqual([]);
    expect(messages(report.changes)).toEqual(
      expect.arrayContaining([
        'application registration "VB365 Restore Portal" created, with a new Application ID',
        'identifier URI api://<new Application ID> set',
        'scope access_as_user exposed (ID 16e63f97-6cff-5330-a62e-9f1f5eea84a1)',
        'redirect URI https://restore.example.com:4443 added',
        'public client flows (device code sign-in) turned on',
        'API permission User.Read on Microsoft Graph requested',
        'API permission access_as_user on its own API requested',
        'its own client pre-authorized for access_as_user',
        'service principal (Enterprise application) created',
        'admin consent for User.Read granted for all users',
        'admin consent for access_as_user granted for all users',
        'certificate 8081…F2FA added (valid from 2026-11-27 until 2036-11-24)',
      ]),
    );
    expect(report.changes.every((item) => item.action === 'create')).toBe(true);
    expect(reviewExitCode([report])).toBe(2);
  });

  test('shows an in-place redirect URI change as the URI added', () => {
    const report = reportOf(planFixture('redirect-uri-added'));
    expect(report.changes).toEqual([
      {
        address: 'azuread_application_redirect_uris.portal_spa',
        type: 'azuread_application_redirect_uris',
        action: 'update',
        message: 'redirect URI https://restore2.example.com:4443 added',
      },
    ]);
    expect(report.dangers).toEqual([]);
  });

  test('reports changes made in the portal to every kind of resource, apart from what the code would change', () => {
    const report = reportOf(planFixture('drift-every-kind'));
    expect(messages(report.drift)).toEqual([
      'display name changed outside Terraform: VB365 Restore Portal → VB365 Restore Portal (test)',
      'ID token issuance (implicit grant) turned on outside Terraform',
      'identifier URI api://0b5f9d3c-8e0e-4a0a-b1a7-2c4b6d8e9f01 removed outside Terraform',
      'admin consent display name changed outside Terraform: Access Veeam Backup for Microsoft 365 Restore Portal → Restore Portal',
      'redirect URI https://x.example.com:4443 added outside Terraform',
      'public client flows (device code sign-in) turned off outside Terraform',
      'API permission User.Read on Microsoft Graph removed outside Terraform',
      'pre-authorization of its own client deleted outside Terraform',
      'user assignment required turned on outside Terraform',
      'no longer listed under Enterprise applications outside Terraform',
      'admin consent for User.Read removed outside Terraform',
      'admin consent for offline_access added outside Terraform',
      'certificate 8081…F2FA deleted outside Terraform',
      'owner aaaaaaaa-0000-0000-0000-000000000001 removed outside Terraform',
    ]);
    expect(messages(report.changes)).toEqual(
      expect.arrayContaining([
        'redirect URI https://x.example.com:4443 removed again (it was added outside Terraform)',
        'admin consent for User.Read granted for all users',
        'certificate 8081…F2FA added (valid from 2026-11-27 until 2036-11-24)',
      ]),
    );
    expect(report.dangers).toEqual([]);
  });

  describe('dangers', () => {
    test('the application registration replaced: the Application ID changes', () => {
      const report = reportOf(planFixture('danger-registration-replaced'));
      expect(report.dangers.map((d) => [d.address, d.action])).toEqual([
        ['azuread_application_registration.portal', 'replace'],
        ['azuread_service_principal.portal', 'replace'],
      ]);
      expect(report.dangers[0].message).toBe(
        'application registration "VB365 Restore Portal" will be replaced: the Application ID changes, and every VB365 server must be reconfigured (Set-VBORestorePortalSettings -ApplicationId)',
      );
      expect(messages(report.changes)).toContain('application registration "VB365 Restore Portal" replaced (replacement requested)');
    });

    test('the application registration deleted in the portal: applying would register a new Application ID', () => {
      const plan = planFixture('no-changes');
      const registration = plan.resource_changes.find((c: any) => c.type === 'azuread_application_registration');
      plan.resource_drift = [{ ...registration, change: { ...registration.change, actions: ['delete'], after: null } }];
      registration.change = { ...registration.change, actions: ['create'], before: null };
      expect(messages(reportOf(plan).dangers)).toEqual([
        'application registration "VB365 Restore Portal" will be created, with a new Application ID, in place of the one deleted in Entra: restoring that one from Deleted applications (within 30 days) keeps its ID; applying it needs an acknowledgement (apply.yml: new-registration; the gate: --accept-new-registration)',
        expect.stringMatching(/^application registration "VB365 Restore Portal" was deleted outside Terraform: applying registers a new one with a new Application ID/),
      ]);
    });

    test('a plan that creates the registration: first of all, a new Application ID, and what to check when it is not a first deployment', () => {
      // The state went missing: the whole stack is created again, as on a first deployment.
      const report = reportOf(planFixture('new-environment'));
      expect(report.dangers[0]).toEqual({
        address: 'azuread_application_registration.portal',
        type: 'azuread_application_registration',
        action: 'create',
        message:
          'application registration "VB365 Restore Portal" will be created, with a new Application ID: right for the first deployment of an environment; otherwise this stack\'s state was lost (its backend key, path or workspace changed, or the state was deleted) and the registration every VB365 server uses stays while a second one is made: check the state before applying; applying it needs an acknowledgement (apply.yml: new-registration; the gate: --accept-new-registration)',
      });
      const text = formatReports([report], 'plan', 'text', plain).split('\n');
      expect(text.slice(0, 3)).toEqual([
        'prod: 1 danger, 17 changes to apply',
        '  DANGER',
        expect.stringMatching(/^ {4}! application registration "VB365 Restore Portal" will be created, with a new Application ID: right for the first deployment/),
      ]);
      const markdown = formatReports([report], 'plan', 'markdown', plain);
      expect(markdown).toContain('> [!CAUTION]\n> - **application registration "VB365 Restore Portal" will be created, with a new Application ID**: right for the first deployment');
    });

    test('a new registration stands before every other danger', () => {
      const plan = planFixture('new-environment');
      plan.resource_changes.push({ ...planFixture('danger-service-principal-deleted').resource_changes.find((c: any) => c.type === 'azuread_service_principal') });
      expect(reportOf(plan).dangers.map((d) => [d.type, d.action])).toEqual([
        ['azuread_application_registration', 'create'],
        ['azuread_service_principal', 'delete'],
      ]);
    });

    test('the service principal deleted', () => {
      expect(reportOf(planFixture('danger-service-principal-deleted')).dangers).toEqual([
        {
          address: 'azuread_service_principal.portal',
          type: 'azuread_service_principal',
          action: 'delete',
          message:
            'service principal (Enterprise application) will be deleted: its admin consent goes with it, and restore operators cannot sign in until consent is granted again',
        },
      ]);
    });

    test('the last valid certificate removed, even when an expired one stays', () => {
      const report = reportOf(planFixture('danger-last-certificate-removed'));
      expect(report.dangers).toEqual([
        expect.objectContaining({
          address: CERTIFICATE,
          message: 'the last valid certificate (8081…F2FA) will be removed: VB365 can no longer authenticate to Entra; add its next certificate first',
        }),
      ]);
    });

    test('the last valid certificate removed while the one left is not valid yet: flagged, with its start date', () => {
      const plan = planFixture('danger-last-certificate-removed');
      const left = plan.resource_changes.find((c: any) => c.type === 'azuread_application_certificate' && c.change.actions[0] === 'no-op');
      // A rotation staged ahead: the next certificate starts after the plan's time (2027-01-01T09:30Z).
      for (const values of [left.change.before, left.change.after]) Object.assign(values, { start_date: '2027-03-01T00:00:00Z', end_date: '2030-01-01T00:00:00Z' });
      expect(reportOf(plan).dangers).toEqual([
        expect.objectContaining({
          address: CERTIFICATE,
          message:
            "the last valid certificate (8081…F2FA) will be removed, and the one left is not valid yet (396C…7F17 valid from 2027-03-01): VB365 cannot authenticate to Entra until then; keep the old certificate until the new one's start date",
        }),
      ]);
      // Once the plan is made after that start date, the same change is safe.
      plan.timestamp = '2027-03-02T00:00:00Z';
      expect(reportOf(plan).dangers).toEqual([]);
    });

    test('a certificate added shows when it starts being valid, not only when it ends', () => {
      const plan = planFixture('new-environment');
      const certificate = plan.resource_changes.find((c: any) => c.type === 'azuread_application_certificate');
      certificate.change.after.start_date = '2027-03-01T00:00:00Z';
      expect(messages(reportOf(plan).changes)).toContain('certificate 8081…F2FA added (valid from 2027-03-01 until 2036-11-24)');
    });

    test('no danger when a certificate is removed while another valid one stays', () => {
      const plan = planFixture('danger-last-certificate-removed');
      const expired = plan.resource_changes.find((c: any) => c.type === 'azuread_application_certificate' && c.change.actions[0] === 'no-op');
      expired.change.after.end_date = '2030-01-01T00:00:00Z';
      expect(reportOf(plan).dangers).toEqual([]);
    });

    test('the scope ID changed', () => {
      const report = reportOf(planFixture('danger-scope-id-changed'));
      expect(messages(report.dangers)).toEqual([
        expect.stringMatching(
          /^the ID of scope access_as_user changes \(16e63f97-6cff-5330-a62e-9f1f5eea84a1 → f4d3c2b1-a0f9-4e8d-b7c6-a5f4e3d2c1b0\): the scope is re-created/,
        ),
      ]);
      expect(messages(report.changes)).toContain(
        'API permission access_as_user on its own API: 16e63f97-6cff-5330-a62e-9f1f5eea84a1 → f4d3c2b1-a0f9-4e8d-b7c6-a5f4e3d2c1b0',
      );
    });

    test('a redirect URI removed by the code, but not one that only reverts a hand-made addition', () => {
      const report = reportOf(planFixture('danger-redirect-uri-removed'));
      expect(messages(report.dangers)).toEqual([
        'redirect URI https://restore.example.com:4443 will be removed: the Restore Portal at that address can no longer sign users in',
      ]);
      expect(messages(report.changes)).toEqual([
        'redirect URI https://portal.example.com:4443 added',
        'redirect URI https://restore.example.com:4443 removed',
      ]);
    });

    test('are found by resource type, so other stacks (customer tenants) are covered too', () => {
      const plan = planFixture('danger-service-principal-deleted');
      for (const change of plan.resource_changes) {
        change.name = change.name.replace('portal', 'tenant_contoso');
        change.address = `${change.type}.${change.name}`;
      }
      expect(reportOf(plan, 'prod-tenant-contoso').dangers.map((d) => d.address)).toEqual(['azuread_service_principal.tenant_contoso']);
    });
  });

  test('never shows sensitive values, and names resources it has no words for by type and name', () => {
    const plan = planFixture('no-changes');
    plan.resource_changes.push({
      address: 'tls_private_key.portal',
      mode: 'managed',
      type: 'tls_private_key',
      name: 'portal',
      change: {
        actions: ['update'],
        before: { algorithm: 'RSA', rsa_bits: 2048, private_key_pem: 'OLD-SECRET' },
        after: { algorithm: 'RSA', rsa_bits: 4096, private_key_pem: 'NEW-SECRET' },
        after_unknown: {},
        before_sensitive: { private_key_pem: true },
        after_sensitive: { private_key_pem: true },
      },
    });
    const report = reportOf(plan);
    expect(messages(report.changes)).toEqual(['tls_private_key portal: rsa_bits: 2048 → 4096', 'tls_private_key portal: private_key_pem changed (sensitive)']);
    for (const format of ['text', 'markdown', 'json'] as const) expect(formatReports([report], 'plan', format, plain)).not.toContain('SECRET');
  });

  describe('formats', () => {
    const dangerous = reportOf(planFixture('danger-redirect-uri-removed'));
    const drifted = reportOf(planFixture('drift-every-kind'));

    test('text shows dangers first, then what the command is for', () => {
      const plan = formatReports([drifted], 'plan', 'text', plain);
      const drift = formatReports([drifted], 'drift', 'text', plain);
      expect(plan.indexOf('Changes applying the code would make')).toBeLessThan(plan.indexOf('Changed outside Terraform'));
      expect(drift.indexOf('Changed outside Terraform')).toBeLessThan(drift.indexOf('Changes applying the code would make'));
      const text = formatReports([dangerous], 'plan', 'text', plain);
      expect(text.split('\n').slice(0, 3)).toEqual([
        'prod: 1 danger, 2 changes to apply',
        '  DANGER',
        '    ! redirect URI https://restore.example.com:4443 will be removed: the Restore Portal at that address can no longer sign users in  azuread_application_redirect_uris.portal_spa',
      ]);
      expect(text).not.toContain('\x1b[');
    });

    test('markdown suits a pull request comment: a caution block, then a table per section', () => {
      const markdown = formatReports([dangerous], 'plan', 'markdown', plain);
      expect(markdown).toContain('### Restore Portal plan: `prod`');
      expect(markdown).toContain(
        // Addresses from the plan are not links in a comment: a pull request could point them anywhere.
        '> - **redirect URI https:&#8203;//restore.example.com:4443 will be removed**: the Restore Portal at that address can no longer sign users in (`azuread_application_redirect_uris.portal_spa`)',
      );
      expect(markdown).toContain('| `~` | redirect URI https:&#8203;//portal.example.com:4443 added | `azuread_application_redirect_uris.portal_spa` |');
      expect(markdown).toContain(`Plan digest: \`${dangerous.digest}\``);
      expect(formatReports([reportOf(planFixture('new-environment'))], 'plan', 'markdown', plain)).toContain(
        'identifier URI api:&#8203;//&lt;new Application ID&gt; set',
      );
    });

    test('text and markdown end each report with its digest, and a run of several with the digest of them all', () => {
      const unchanged = reportOf(planFixture('no-changes'), 'test');
      const text = formatReports([dangerous, unchanged], 'plan', 'text', plain);
      expect(text).toContain(`  digest ${dangerous.digest}\n`);
      expect(text.endsWith(`  digest ${unchanged.digest}\n\nDigest of these 2 reports: ${runDigest([dangerous, unchanged])}\n`)).toBe(true);
      const markdown = formatReports([dangerous, unchanged], 'plan', 'markdown', plain);
      expect(markdown.endsWith(`Plan digest: \`${unchanged.digest}\`\n\n\nDigest of these 2 reports: \`${runDigest([dangerous, unchanged])}\`\n`)).toBe(true);
    });

    test('json is stable: command, exit code, digest, and per environment its dangers, drift, changes, digest and why it was not planned', () => {
      const unchanged = reportOf(planFixture('no-changes'), 'test');
      const json = JSON.parse(formatReports([dangerous, unchanged], 'drift', 'json', plain));
      expect(json).toEqual({
        command: 'drift',
        exitCode: 2,
        digest: runDigest([dangerous, unchanged]),
        environments: [
          {
            environment: 'prod',
            terraformVersion: '1.11.4',
            hasChanges: true,
            failure: null,
            dangers: [expect.objectContaining({ address: 'azuread_application_redirect_uris.portal_spa', action: 'update' })],
            drift: [],
            changes: [
              expect.objectContaining({ message: 'redirect URI https://portal.example.com:4443 added' }),
              expect.objectContaining({ message: 'redirect URI https://restore.example.com:4443 removed' }),
            ],
            digest: dangerous.digest,
          },
          { environment: 'test', terraformVersion: '1.11.4', hasChanges: false, failure: null, dangers: [], drift: [], changes: [], digest: unchanged.digest },
        ],
      });
    });
  });
});

describe('reading plan JSON', () => {
  const read = (text: string) => () => readPlanJson(text, 'plan.json');

  test('accepts the plan of every fixture', () => {
    expect(readPlanJson(JSON.stringify(planFixture('no-changes')), 'plan.json').terraformVersion).toBe('1.11.4');
  });

  test.each([
    ['a binary plan file', 'PK\u0003\u0004...', 'plan.json: is a binary plan file; give its JSON form: terraform show -json <planfile> > plan.json'],
    ['text that is not JSON', 'Terraform will perform the following actions:', /^plan\.json: is not Terraform plan JSON \(.*\); make it with terraform show -json <planfile>$/],
    ['a JSON array', '[]', 'plan.json: is not Terraform plan JSON (expected an object); make it with terraform show -json <planfile>'],
    ['a state file', '{"version":4,"lineage":"x","resources":[]}', /^plan\.json: is Terraform state, not a plan/],
    ['state as terraform show -json prints it', '{"format_version":"1.0","values":{}}', /^plan\.json: is Terraform state, not a plan/],
    ['other JSON', '{"name":"x"}', 'plan.json: is not Terraform plan JSON (no format_version); make it with terraform show -json <planfile>'],
    ['a future major format', '{"format_version":"2.0","planned_values":{}}', 'plan.json: has plan format 2.0; this tool reads format 1.x (Terraform 1.x)'],
    ['a failed plan', '{"format_version":"1.2","planned_values":{},"errored":true}', /^plan\.json: records a plan that failed/],
    [
      'a plan nested deeper than any real one, made to exhaust the stack',
      `{"format_version":"1.2","planned_values":{},"resource_drift":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      'plan.json: is not Terraform plan JSON (nested more than 100 levels deep, which no file this tool reads is); make it with terraform show -json <planfile>',
    ],
    ['resource changes that are not a list', '{"format_version":"1.2","resource_changes":{}}', 'plan.json: resource_changes must be an array'],
    [
      'a change with unknown actions',
      '{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["explode"]}}]}',
      /^plan\.json: resource_changes\[0\]\.change\.actions must list actions among no-op, create, read, update, delete, forget$/,
    ],
  ])('refuses %s, saying what to give instead', (_, text, message) => {
    expect(read(text)).toThrow(message);
  });
});

describe('a failed plan saved as JSON (--plan-json)', () => {
  /** What terraform show -json prints for the plan a deleted registration makes fail: errored, with what the refresh found. */
  const deletedRegistrationPlan = () => {
    const plan = planFixture('no-changes');
    const registration = plan.resource_changes.find((c: any) => c.type === 'azuread_application_registration');
    plan.errored = true;
    plan.resource_drift.push({ ...registration, change: { ...registration.change, actions: ['delete'], after: null } });
    plan.prior_state.values.root_module.resources = plan.prior_state.values.root_module.resources.filter((r: any) => r.type !== 'azuread_application_registration');
    return plan;
  };

  test('says what the live plan says of a deleted registration, and what to do', () => {
    expect(() => readPlanJson(JSON.stringify(deletedRegistrationPlan()), 'plan.json', 'prod')).toThrow(
      /^plan\.json: records a plan that failed, and the application registration was deleted in Entra \(the plan's refresh found azuread_application_registration\.portal deleted outside Terraform\)\. Applying would register a new one with a new Application ID.*Restore it within 30 days of its deletion.*terraform -chdir=cdktf\.out\/stacks\/prod state list/,
    );
  });

  test('knows it from the refreshed state too, when the refresh stopped before reporting drift', () => {
    const plan = deletedRegistrationPlan();
    plan.resource_drift = [];
    expect(() => readPlanJson(JSON.stringify(plan), 'plan.json', 'prod')).toThrow(
      /^plan\.json: records a plan that failed, and the application registration was deleted in Entra \(the refreshed state holds the registration's parts but not the registration\)\. /,
    );
  });

  test('any other failed plan: fix the error Terraform printed', () => {
    const plan = planFixture('no-changes');
    plan.errored = true;
    expect(() => readPlanJson(JSON.stringify(plan), 'plan.json', 'prod')).toThrow(/^plan\.json: records a plan that failed; fix the error Terraform printed and plan again$/);
  });
});

describe('a plan that only moves, imports or forgets resources', () => {
  const unchanged = reportOf(planFixture('no-changes'));

  test('a moved block is a change to apply, and the report says what moved', () => {
    const plan = planFixture('no-changes');
    const spa = plan.resource_changes.find((c: any) => c.type === 'azuread_application_redirect_uris');
    spa.previous_address = spa.address;
    spa.name = 'portal_redirects';
    spa.address = 'azuread_application_redirect_uris.portal_redirects';
    const report = reportOf(plan);
    expect(report.changes).toEqual([
      {
        address: 'azuread_application_redirect_uris.portal_redirects',
        type: 'azuread_application_redirect_uris',
        action: 'move',
        message: 'redirect URIs (SPA) moved in the state from azuread_application_redirect_uris.portal_spa (a moved block; the move itself changes nothing in Entra)',
      },
    ]);
    expect(hasChanges(report)).toBe(true);
    expect(reviewExitCode([report])).toBe(2);
    expect(report.digest).not.toBe(unchanged.digest);
    expect(formatReports([report], 'plan', 'text', plain)).toContain(
      '    -> redirect URIs (SPA) moved in the state from azuread_application_redirect_uris.portal_spa (a moved block; the move itself changes nothing in Entra)  azuread_application_redirect_uris.portal_redirects\n',
    );
    expect(formatReports([report], 'plan', 'markdown', plain)).toContain('| `->` | redirect URIs (SPA) moved in the state from');
  });

  test('an import alone, by ID or by identity, is a change to apply', () => {
    const plan = planFixture('no-changes');
    const [byId, byIdentity] = plan.resource_changes.filter((c: any) => c.type === 'azuread_application_api_access');
    byId.change.importing = { id: '/applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10/apiAccess/00000003-0000-0000-c000-000000000000' };
    byIdentity.change.importing = { identity: { id: 'x' } };
    const report = reportOf(plan);
    expect(report.changes.map((c) => [c.action, c.message])).toEqual([
      ['import', 'API permissions on Microsoft Graph imported as it is in Entra (import ID /applications/6f1c2b7e-0d6a-4c39-9a55-3f0f8f7d2a10/apiAccess/00000003-0000-0000-c000-000000000000)'],
      ['import', 'API permissions on its own API imported as it is in Entra (by its identity)'],
    ]);
    expect(reviewExitCode([report])).toBe(2);
  });

  test('a removed block that keeps the object (forget) is a change to apply', () => {
    const plan = planFixture('no-changes');
    plan.resource_changes.find((c: any) => c.type === 'azuread_application_owner' || c.type === 'azuread_application_fallback_public_client').change.actions = ['forget'];
    const report = reportOf(plan);
    expect(messages(report.changes)).toEqual(['public client flows (device code sign-in) no longer managed by Terraform (left as it is in Entra)']);
    expect(reviewExitCode([report])).toBe(2);
  });
});

describe('a plan made by real Terraform 1.11.4 with a moved block, a requested replacement and a removed block (fixtures/plans/real-moved-replaced-forgotten.json)', () => {
  test('reads the move from previous_address, the reason from action_reason and the forget action where Terraform writes them', () => {
    const report = reportOf(planFixture('real-moved-replaced-forgotten'));
    expect(report.terraformVersion).toBe('1.11.4');
    expect(report.changes.map((c) => [c.action, c.address, c.message])).toEqual([
      ['move', 'terraform_data.b', 'terraform_data b moved in the state from terraform_data.a (a moved block; the move itself changes nothing in Entra)'],
      ['replace', 'terraform_data.c', 'terraform_data c replaced (replacement requested)'],
      ['forget', 'terraform_data.d', 'terraform_data d no longer managed by Terraform (left as it is in Entra)'],
    ]);
    expect(reviewExitCode([report])).toBe(2);
  });
});

describe('plans whose names are those every object inherits', () => {
  test('an attribute named __proto__ or constructor is reported as a change, like any attribute without wording', () => {
    const plan = planFixture('redirect-uri-added');
    const spa = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_redirect_uris');
    spa.change.before = JSON.parse(`{ "__proto__": { "x": 1 }, ${JSON.stringify(spa.change.before).slice(1)}`);
    spa.change.before.constructor = 'a';
    spa.change.after.constructor = 'b';
    expect(messages(reportOf(plan).changes)).toEqual(
      expect.arrayContaining(['redirect URIs (SPA): __proto__: {"x":1} → none', 'redirect URIs (SPA): constructor: a → b']),
    );
  });

  test('a resource type named constructor is worded as any unknown resource', () => {
    const plan = planFixture('redirect-uri-added');
    plan.resource_changes.push({ address: 'constructor.x', mode: 'managed', type: 'constructor', name: 'x', change: { actions: ['update'], before: { a: 1 }, after: { a: 2 } } });
    expect(reportOf(plan).changes.filter((item) => item.address === 'constructor.x')).toHaveLength(1);
  });

  test('an output named __proto__ is an output change, not the prototype of the list of them', () => {
    const plan = planFixture('no-changes');
    plan.output_changes = JSON.parse('{ "__proto__": { "actions": ["create"], "before": null, "after": "x" } }');
    expect(Object.keys(readPlanJson(JSON.stringify(plan), 'plan.json').outputChanges)).toEqual(['__proto__']);
  });
});

describe('saved plans far larger than Entra allows', () => {
  test('50,000 redirect URIs replaced by others are each reported, in one pass (a list scan per address would take minutes)', () => {
    const plan = planFixture('redirect-uri-added');
    const spa = plan.resource_changes.find((c: { type: string }) => c.type === 'azuread_application_redirect_uris');
    spa.change.before.redirect_uris = Array.from({ length: 50_000 }, (_, i) => `https://a${i}.example.com:4443`);
    spa.change.after.redirect_uris = Array.from({ length: 50_000 }, (_, i) => `https://b${i}.example.com:4443`);
    const changes = messages(reportOf(plan).changes);
    expect(changes.filter((m) => m.endsWith(' added'))).toHaveLength(50_000);
    expect(changes.filter((m) => m.endsWith(' removed'))).toHaveLength(50_000);
  });
});


describe('a hostile saved plan: lists whose items all change', () => {
  /** A plan updating the Graph API access from `before` scope IDs to `after` ones. */
  const scopesChanged = (before: string[], after: string[]) => {
    const plan = planFixture('no-changes');
    const access = plan.resource_changes.find((c: any) => c.address === 'azuread_application_api_access.portal_microsoft_graph');
    access.change.actions = ['update'];
    access.change.before.scope_ids = before;
    access.change.after.scope_ids = after;
    return readPlanJson(JSON.stringify(plan), 'plan.json').resourceChanges.find((c) => c.address === access.address)!;
  };
  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`);

  test('each item is named a bounded number of times, not once per item of the other side (40,000 owners took 635 s)', () => {
    const entry = scopesChanged(ids('a', 2000), ids('b', 2000));
    // Every item is named through the scope names: count the look-ups.
    let lookups = 0;
    const scopeNames = new Map<string, string>();
    const counted = Object.assign(Object.create(scopeNames), { get: (id: string) => (lookups++, scopeNames.get(id)) });
    const context = { scopeNames: counted, ownClientIds: new Set<string>(), addedOutside: new Map(), changedByPlan: new Map(), now: new Date(), perspective: 'change', outside: '' } as const;
    const lines = describeChange(entry, 'update', context);
    expect(lines).toHaveLength(4000);
    expect(lookups).toBeLessThanOrEqual(3 * 4000);
  });

  test('an item whose ID changed but whose name did not is still one change, in list order', () => {
    const plan = scopesChanged(['e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'x1', 'x2'], ['x3', 'e1fe6dd8-ba31-4d61-89e7-88639da4683d']);
    const named = new Map([['x1', 'Mail.Read'], ['x2', 'Files.Read'], ['x3', 'Mail.Read']]);
    const context = { scopeNames: named, ownClientIds: new Set<string>(), addedOutside: new Map(), changedByPlan: new Map(), now: new Date(), perspective: 'change', outside: '' } as const;
    expect(describeChange(plan, 'update', context)).toEqual([
      'API permission Mail.Read on Microsoft Graph: x1 → x3',
      'API permission Files.Read on Microsoft Graph removed',
    ]);
  });
});
