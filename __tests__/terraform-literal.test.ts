import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvironment } from '../lib/environment/environment';
import { terraformLiteral } from '../lib/process/terraform-literal';
import { formatProblem } from '../lib/process/problem';
import { environment, NOW, problemsOf, resourceOf, synthStack, TestProject, validInput } from './support/builders';
import { makeCertificate } from './support/certificates';
import { temporaryFolder } from './support/clean-up';

/**
 * Terraform reads `$${` as a literal `${` and `%%{` as a literal `%{` in every string of a .tf.json
 * file (developer.hashicorp.com/terraform/language/expressions/strings, "Escape Sequences"); checked
 * with Terraform 1.11: an output "$${var} %%{ if } $$${x}" reads `${var} %{ if } $${x}`.
 */
describe('user text reaches Terraform JSON as literal text', () => {
  const READ_FILE = '${file("/etc/passwd")}';
  const DIRECTIVE = '%{ if true }yes%{ endif }';

  test('escapes interpolations and directives, and keeps a written escape as written', () => {
    expect(terraformLiteral(READ_FILE)).toBe('$${file("/etc/passwd")}');
    expect(terraformLiteral(DIRECTIVE)).toBe('%%{ if true }yes%%{ endif }');
    expect(terraformLiteral('$${x} and %%{y}')).toBe('$$${x} and %%%{y}');
    expect(terraformLiteral('100% of $5 {ok}')).toBe('100% of $5 {ok}');
  });

  test('display name, consent texts, notes and a self-signed common name', () => {
    const stack = synthStack(
      environment({
        displayName: `Portal ${READ_FILE}`,
        consentTexts: { adminConsentDisplayName: DIRECTIVE, adminConsentDescription: READ_FILE, userConsentDisplayName: DIRECTIVE, userConsentDescription: READ_FILE },
        certificates: [{ source: 'selfSigned', name: 'next', commonName: READ_FILE }],
      }),
    );
    const registration = resourceOf(stack, 'azuread_application_registration', 'portal');
    expect(registration.display_name).toBe('Portal $${file("/etc/passwd")}');
    expect(resourceOf(stack, 'azuread_application_permission_scope', 'portal_access_as_user')).toMatchObject({
      admin_consent_display_name: '%%{ if true }yes%%{ endif }',
      admin_consent_description: '$${file("/etc/passwd")}',
      user_consent_display_name: '%%{ if true }yes%%{ endif }',
      user_consent_description: '$${file("/etc/passwd")}',
    });
    expect(resourceOf(stack, 'tls_self_signed_cert', 'portal_next').subject).toEqual([{ common_name: '$${file("/etc/passwd")}' }]);
    expect(JSON.stringify(stack)).not.toMatch(/(^|[^$])\$\{file/);
  });

  test('a certificate file whose subject holds an interpolation is named literally in the outputs', () => {
    const dir = temporaryFolder('literal-');
    const made = makeCertificate({ commonName: '${path.cwd}', notBefore: new Date('2026-01-01'), notAfter: new Date('2028-01-01') });
    writeFileSync(join(dir, 'odd.cer'), made.pem);
    const result = parseEnvironment(validInput({ certificates: [{ source: 'file', path: 'odd.cer' }] }), {
      name: 'test', file: 'environments/test.ts', environmentsDir: dir, now: NOW,
    });
    expect(result.problems.map(formatProblem)).toEqual([]);
    const stack = synthStack(result.environment);
    expect(stack.output.certificates.value[0].subject).toBe('CN=$${path.cwd}');
  });

  test("text holding cdktf's reference marker is refused: it would take another resource's value", () => {
    expect(problemsOf(validInput({ displayName: 'x ${TfToken[TOKEN.1]}', backend: { type: 'local', path: '#{TfToken[TOKEN.2]}' } }))).toEqual([
      'environments/test.ts: displayName: contains "TfToken[", which cdktf reserves for references between resources; remove it',
      'environments/test.ts: backend.path: contains "TfToken[", which cdktf reserves for references between resources; remove it',
    ]);
  });

  test("the repository's name from package.json, written into the registration's notes", () => {
    const project = new TestProject();
    writeFileSync(join(project.root, 'package.json'), JSON.stringify({ name: '${path.cwd}' }));
    project.writeEnvironment('prod', validInput());
    project.synth();
    const notes = JSON.parse(project.readFile('cdktf.out/stacks/prod/cdk.tf.json')).resource.azuread_application_registration.portal.notes;
    expect(notes).toContain('Managed by the $${path.cwd} repository');
  });
});
