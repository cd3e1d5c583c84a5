import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { TerraformStack, Tokenization } from 'cdktf';
import { RestorePortalStack } from '../lib/synthesis/restore-portal-stack';
import { withoutTokenStackTraces } from '../lib/synthesis/synthesis-shortcuts';
import { environment, synthApp, testApp, type SynthesizedApp } from './support/builders';
import { onCleanUp } from './support/clean-up';

/** Synthesizes with cdktf's own prepareStack and toTerraform on the environment stacks, for the rest of the test. */
function synthAsCdktfWould(build: () => SynthesizedApp): SynthesizedApp {
  const prepare = jest.spyOn(RestorePortalStack.prototype, 'prepareStack').mockImplementation(function (this: TerraformStack) {
    TerraformStack.prototype.prepareStack.call(this);
  });
  const toTerraform = jest.spyOn(RestorePortalStack.prototype, 'toTerraform').mockImplementation(function (this: TerraformStack) {
    return TerraformStack.prototype.toTerraform.call(this);
  });
  onCleanUp(() => {
    prepare.mockRestore();
    toTerraform.mockRestore();
  });
  return build();
}

test('the synthesis shortcuts change nothing in what is synthesized', () => {
  const build = () =>
    synthApp(
      environment({
        certificates: [
          { source: 'file', path: 'certs/valid.cer' },
          { source: 'selfSigned', name: 'next' },
        ],
        owners: ['aaaaaaaa-0000-0000-0000-000000000001'],
        customerTenants: [{ name: 'contoso', tenantId: '99999999-2222-3333-4444-555555555555' }],
      }),
    );
  const fast = build();
  expect(Object.keys(fast.stacks)).toEqual(['test', 'test-tenant-contoso']);
  expect(fast).toEqual(synthAsCdktfWould(build));
});

test('tokens made while synthesizing carry no creation stack, on cdktf 0.21 as on CDK Terrain (cdktn)', () => {
  const stack = new TerraformStack(testApp(), 'consumer');
  const creationStack = () =>
    Tokenization.reverseString(new DataAzureadClientConfig(stack, `config-${stack.node.children.length}`).objectId).tokens[0].creationStack;
  expect(creationStack().length).toBeGreaterThan(0);
  expect(withoutTokenStackTraces(creationStack)).toEqual([]);
  // Restored afterwards, so that a consumer's own tokens still say where they were made.
  expect(creationStack().length).toBeGreaterThan(0);
});
