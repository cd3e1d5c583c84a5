import { formatProblem } from '../lib/process/problem';
import { environment, parse, problemsOf, validInput } from './support/builders';

const VALID_NOT_AFTER = new Date('2036-11-24T20:10:01Z');
const VALID_THUMBPRINT = '8081CE44ADF557BE7F269132ED4D6F8139CFF2FA';
const daysBefore = (date: Date, days: number) => new Date(date.getTime() - days * 24 * 60 * 60 * 1000);
const selfSigned = (fields: Record<string, unknown> = {}) => ({ source: 'selfSigned', name: 'current', ...fields });
const withCertificates = (...certificates: unknown[]) => validInput({ certificates });
/** Warnings about certificates (the local-state warning of the test environments is another matter). */
const warningsOf = (input: unknown, now?: Date) =>
  parse(input, { now })
    .warnings.filter((w) => w.path.startsWith('certificates'))
    .map(formatProblem);

describe('self-signed certificate entries', () => {
  test('default to a 2048-bit key, 730 days, renewal 14 days ahead and the first redirect host as CN', () => {
    const env = environment({
      redirectUris: ['https://portal.contoso.example:4443', 'https://other.example:4443'],
      certificates: [selfSigned()],
    });
    expect(env.certificates).toEqual([
      {
        source: 'selfSigned',
        name: 'current',
        label: 'self-signed "current"',
        commonName: 'portal.contoso.example',
        subject: 'CN=portal.contoso.example',
        rsaBits: 2048,
        validityDays: 730,
        renewBeforeDays: 14,
      },
    ]);
  });

  test('take the common name, key size, validity and renewal from the entry', () => {
    const env = environment({
      certificates: [selfSigned({ commonName: 'VB365 Restore Portal', rsaBits: 4096, validityDays: 365, renewBeforeDays: 60 })],
    });
    expect(env.certificates[0]).toMatchObject({ commonName: 'VB365 Restore Portal', rsaBits: 4096, validityDays: 365, renewBeforeDays: 60 });
  });

  test('warn at synth that whoever reads the state, pull request plans included, holds the private key, and what to do', () => {
    expect(warningsOf(withCertificates(selfSigned()))).toEqual([
      expect.stringMatching(
        /^environments\/test\.ts: certificates\[0\]: self-signed "current": its private key is kept in Terraform state .*whoever can read the state holds it .*every pull request's plan job.* For production use source "file" .*or keep the plan identity away from this state$/,
      ),
    ]);
  });
});

describe('bad certificate entries are named by field path with what is allowed', () => {
  test.each([
    [{ source: 'pfx', path: 'x.pfx' }, 'certificates[0].source: must be one of "file", "selfSigned"; got "pfx"'],
    [selfSigned({ rsaBits: 1024 }), 'certificates[0].rsaBits: must be one of 2048, 3072, 4096; got number 1024'],
    [selfSigned({ rsaBits: '2048' }), 'certificates[0].rsaBits: must be one of 2048, 3072, 4096; got "2048"'],
    [selfSigned({ validityDays: 0 }), 'certificates[0].validityDays: must be a whole number from 2 to 3650; got number 0'],
    [selfSigned({ validityDays: 3651 }), 'certificates[0].validityDays: must be a whole number from 2 to 3650; got number 3651'],
    [selfSigned({ validityDays: 30.5 }), 'certificates[0].validityDays: must be a whole number from 2 to 3650; got number 30.5'],
    [selfSigned({ renewBeforeDays: 0 }), 'certificates[0].renewBeforeDays: must be a whole number from 1 to 365; got number 0'],
    [
      selfSigned({ validityDays: 90, renewBeforeDays: 90 }),
      'certificates[0].renewBeforeDays: renewBeforeDays (90) must be below validityDays (90): Terraform plans a new certificate that many days before the current one expires',
    ],
    [
      selfSigned({ validityDays: 14 }),
      'certificates[0].validityDays: renewBeforeDays (14, the default) must be below validityDays (14): Terraform plans a new certificate that many days before the current one expires',
    ],
    [selfSigned({ name: 'next cert' }), 'certificates[0].name: must start with a letter and use only letters, digits, "-" and "_" (at most 32 characters); got "next cert"'],
    [selfSigned({ name: '2027' }), 'certificates[0].name: must start with a letter and use only letters, digits, "-" and "_" (at most 32 characters); got "2027"'],
    [{ source: 'selfSigned' }, 'certificates[0].name: must be a non-empty string; got nothing'],
    [selfSigned({ commonName: 'x'.repeat(65) }), 'certificates[0].commonName: must be at most 64 characters; got 65'],
    [selfSigned({ validtyDays: 365 }), 'certificates[0].validtyDays: unknown field; did you mean "validityDays"?'],
    [{ source: 'file', path: 'certs/valid.cer', name: 'x' }, 'certificates[0].name: unknown field; allowed: source, path'],
    ['certs/valid.cer', 'certificates[0]: must be an object such as { source: "file", path: "certs/portal.cer" }; got "certs/valid.cer"'],
  ])('%j', (entry, expected) => {
    expect(problemsOf(withCertificates(entry))).toEqual([`environments/test.ts: ${expected}`]);
  });

  test('two self-signed certificates with the same name', () => {
    expect(problemsOf(withCertificates(selfSigned({ name: 'next' }), selfSigned({ name: 'next', rsaBits: 3072 })))).toEqual([
      'environments/test.ts: certificates[1]: is a second certificate with name "next" as certificates[0]; list each certificate once',
    ]);
  });

  test('the same certificate file twice, even under another path', () => {
    expect(
      problemsOf(withCertificates({ source: 'file', path: 'certs/valid.cer' }, { source: 'file', path: 'certs/valid.der.cer' })),
    ).toEqual([
      `environments/test.ts: certificates[1]: is the same certificate (thumbprint ${VALID_THUMBPRINT}) as certificates[0]; list each certificate once`,
    ]);
  });

  test('expiryWarningDays outside 1 to 365', () => {
    expect(problemsOf(validInput({ expiryWarningDays: 0 }))).toEqual([
      'environments/test.ts: expiryWarningDays: must be a whole number from 1 to 365; got number 0',
    ]);
  });
});

describe('certificate expiry at synth', () => {
  const file = withCertificates({ source: 'file', path: 'certs/valid.cer' });

  test('fails on an expired certificate, naming it by path and thumbprint', () => {
    expect(problemsOf(withCertificates({ source: 'file', path: 'certs/expired.cer' }))).toEqual([
      'environments/test.ts: certificates[0].path: certs/expired.cer (thumbprint 396C0111C71F0BF6A08F6CCE969A0157DD9F7F17) expired on 2021-01-01T00:00:00Z; give a certificate that is still valid',
    ]);
  });

  test('keeps an expired certificate when asked to, for the expiry report', () => {
    const kept = parse(withCertificates({ source: 'file', path: 'certs/expired.cer' }), { allowExpired: true });
    expect(kept.problems).toEqual([]);
    expect(kept.environment?.certificates[0]).toMatchObject({ thumbprint: '396C0111C71F0BF6A08F6CCE969A0157DD9F7F17' });
  });

  test('warns, naming environment file, certificate and days left, within the default 30-day window', () => {
    expect(warningsOf(file, daysBefore(VALID_NOT_AFTER, 12))).toEqual([
      `environments/test.ts: certificates[0].path: certs/valid.cer (thumbprint ${VALID_THUMBPRINT}) expires in 12 days, on 2036-11-24T20:10:01Z (warning window 30 days): add the next certificate and rotate`,
    ]);
    expect(warningsOf(file, daysBefore(VALID_NOT_AFTER, 30))).toHaveLength(1);
    expect(warningsOf(file, daysBefore(VALID_NOT_AFTER, 31))).toEqual([]);
  });

  test('uses the environment’s expiryWarningDays as the window', () => {
    const wide = validInput({ expiryWarningDays: 90 });
    expect(warningsOf(wide, daysBefore(VALID_NOT_AFTER, 60))).toEqual([expect.stringContaining('expires in 60 days')]);
    expect(warningsOf(wide, daysBefore(VALID_NOT_AFTER, 91))).toEqual([]);
    expect(environment({ expiryWarningDays: 90 }).expiryWarningDays).toBe(90);
    expect(environment().expiryWarningDays).toBe(30);
  });
});
