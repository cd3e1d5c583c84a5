import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTOSO, environment, FIXTURES, synthApp } from './support/builders';

/**
 * What environments synthesized before RestorePortalApp could be nested, take Terraform references
 * and load the tls bindings lazily: the Terraform JSON of their stacks, written by the code of main.
 * A change meant to alter what existing environments plan rewrites it (`PIN_SYNTHESIZED=1 npx jest
 * __tests__/existing-environments.test.ts`) and says so; a renamed address there moves state.
 */
const PINNED = join(FIXTURES, 'synthesized/environments.json');

/** Every kind of resource an environment makes: both certificate sources, owners, a deploying identity, a customer tenant, an adoption. */
function existingEnvironments() {
  const app = synthApp(
    environment(
      {
        displayName: 'Restore Portal ${literal}',
        certificates: [
          { source: 'file', path: 'certs/valid.cer' },
          { source: 'selfSigned', name: 'next', commonName: 'restore.example.com' },
        ],
        owners: ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'],
        deployingIdentityObjectId: 'dddddddd-0000-4000-8000-000000000001',
        customerTenants: [CONTOSO],
      },
      'prod',
    ),
    environment(
      {
        owners: ['aaaaaaaa-0000-4000-8000-000000000001'],
        deployingIdentityObjectId: 'dddddddd-0000-4000-8000-000000000001',
        adopt: {
          applicationObjectId: '0a0a0a0a-0000-4000-8000-000000000001',
          clientId: '0c0c0c0c-0000-4000-8000-000000000001',
          scopeId: '05c05c05-0000-4000-8000-000000000001',
          servicePrincipalObjectId: '05905905-0000-4000-8000-000000000001',
          consentGrantIds: { microsoftGraph: 'graphGrant-1_x', self: 'selfGrant-1_x' },
          certificateKeyIds: { '8081CE44ADF557BE7F269132ED4D6F8139CFF2FA': 'cccccccc-0000-4000-8000-000000000001' },
          preAuthorized: true,
          existingOwners: ['aaaaaaaa-0000-4000-8000-000000000001'],
        },
      },
      'adopted',
    ),
  );
  // The version stamp is cdktf's (0.21.0) or CDK Terrain's (0.24.0): the one line that may differ.
  for (const stack of Object.values(app.stacks)) delete (stack as unknown as { '//': { metadata: { version?: string } } })['//'].metadata.version;
  return app.stacks;
}

test('existing environments synthesize the Terraform names and JSON they did, so no state moves', () => {
  const stacks = existingEnvironments();
  if (process.env.PIN_SYNTHESIZED === '1') writeFileSync(PINNED, `${JSON.stringify(stacks, null, 2)}\n`);
  expect(Object.keys(stacks)).toEqual(['adopted', 'prod', 'prod-tenant-contoso']);
  expect(stacks).toEqual(JSON.parse(readFileSync(PINNED, 'utf8')));
});
