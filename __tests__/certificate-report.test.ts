import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificateReport,
  certificateReportExitCode,
  formatCertificateReport,
  type CertificateReportOptions,
} from '../lib/certificates/certificate-report';
import { UserError } from '../lib/process/command-line';
import { EXAMPLE_TENANT_ID } from '../lib/environment/example-environment';
import { InputError } from '../lib/process/problem';
import { FIXTURES, NOW, TENANT, TestProject } from './support/builders';
import { setEnvironment } from './support/clean-up';
import { runCommandIn, standInTerraform } from './support/commands';
import { selfSignedOutputsJson } from './support/outputs';
import { PROCESS_TIMEOUT } from './support/timeouts';

const VALID = { source: 'file', path: 'certs/valid.cer' };
const EXPIRED = { source: 'file', path: 'certs/expired.cer' };
const VALID_NOT_AFTER = new Date('2036-11-24T20:10:01Z');
const VALID_THUMBPRINT = '8081CE44ADF557BE7F269132ED4D6F8139CFF2FA';
const SECOND_THUMBPRINT = 'D564D79BCBC9739F7DABF7C64867A54FD976C826';
const daysBefore = (date: Date, days: number) => new Date(date.getTime() - days * 24 * 60 * 60 * 1000);
const environmentWith = (...certificates: unknown[]) => ({
  tenantId: TENANT,
  redirectUris: ['https://restore.example.com:4443'],
  certificates,
});
/** What `terraform output -json` prints for a deployed self-signed certificate (the PEM is a test certificate). */
const outputsJson = (name: string, certificateFile = 'second.cer') =>
  selfSignedOutputsJson(
    { [name]: { certificatePem: readFileSync(join(FIXTURES, 'certs', certificateFile), 'utf8'), privateKeyPem: 'not read by the report' } },
    '99999999-0000-0000-0000-000000000000',
  );

describe('npm run certs (library)', () => {
  // A fresh project per test: environment files are modules, loaded once per path.
  let project: TestProject;
  beforeEach(() => {
    project = new TestProject();
    project.writeEnvironment('prod', environmentWith(VALID));
  });
  afterEach(() => project.remove());
  const report = (options: Partial<CertificateReportOptions> = {}) =>
    certificateReport({ projectRoot: project.root, now: NOW, ...options });

  test('lists every environment’s certificate files with subject, thumbprint, expiry and days left; exit 0 when all are valid', async () => {
    project.writeEnvironment('staging', environmentWith({ source: 'file', path: 'certs/second.cer' }));
    const result = await report();
    expect(result.certificates).toEqual([
      {
        environment: 'prod',
        source: 'file',
        certificate: 'certs/valid.cer',
        subject: 'CN=restore.test.example',
        thumbprint: VALID_THUMBPRINT,
        notAfter: '2036-11-24T20:10:01Z',
        daysLeft: 3615,
        warningDays: 30,
        status: 'valid',
      },
      expect.objectContaining({ environment: 'staging', thumbprint: SECOND_THUMBPRINT, status: 'valid' }),
    ]);
    expect(certificateReportExitCode(result)).toBe(0);
    expect((await report({ only: ['staging'] })).certificates.map((c) => c.environment)).toEqual(['staging']);
  });

  test('marks a certificate within its environment’s warning window and exits 2', async () => {
    project.writeEnvironment('narrow', { ...environmentWith(VALID), expiryWarningDays: 10 });
    const result = await report({ now: daysBefore(VALID_NOT_AFTER, 20) });
    expect(result.certificates).toMatchObject([
      { environment: 'narrow', daysLeft: 20, warningDays: 10, status: 'valid' },
      { environment: 'prod', daysLeft: 20, warningDays: 30, status: 'expiring' },
    ]);
    expect(certificateReportExitCode(result)).toBe(2);
    expect(certificateReportExitCode(await report({ only: ['narrow'], now: daysBefore(VALID_NOT_AFTER, 20) }))).toBe(0);
  });

  test('lists an expired certificate as expired, not as an error, and exits 2', async () => {
    project.writeEnvironment('prod', environmentWith(VALID, EXPIRED));
    const result = await report({ only: ['prod'] });
    expect(result.certificates[1]).toMatchObject({ certificate: 'certs/expired.cer', status: 'expired', notAfter: '2021-01-01T00:00:00Z' });
    expect(certificateReportExitCode(result)).toBe(2);
  });

  test('reads self-signed certificates from a saved terraform output -json file', async () => {
    project.writeEnvironment('prod', environmentWith(VALID, { source: 'selfSigned', name: 'next' }));
    writeFileSync(join(project.root, 'prod-outputs.json'), outputsJson('next'));
    const result = await report({ only: ['prod'], outputsFiles: new Map([['prod', 'prod-outputs.json']]) });
    expect(result.certificates[1]).toEqual({
      environment: 'prod',
      source: 'selfSigned',
      certificate: 'next',
      subject: 'CN=restore-next.test.example',
      thumbprint: SECOND_THUMBPRINT,
      notAfter: '2036-11-24T20:10:02Z',
      daysLeft: 3615,
      warningDays: 30,
      status: 'valid',
    });
  });

  test('reads self-signed certificates through terraform output in the synthesized stack', async () => {
    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'current' }));
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    writeFileSync(join(project.root, 'outputs.json'), outputsJson('current'));
    const terraform = standInTerraform(project, `cat '${join(project.root, 'outputs.json')}'`);
    setEnvironment({ PATH: terraform.path });
    const result = await report({ only: ['prod'] });
    expect(result.certificates[0]).toMatchObject({ thumbprint: SECOND_THUMBPRINT, status: 'valid' });
    expect(readFileSync(terraform.callsLog, 'utf8')).toBe(`-chdir=${join(project.root, 'cdktf.out/stacks/prod')} output -no-color -json\n`);
  }, PROCESS_TIMEOUT);

  test('says why a self-signed certificate is not available, and exits 1: a check that could not read it has not passed', async () => {
    project.writeEnvironment('prod', environmentWith(VALID, { source: 'selfSigned', name: 'current' }));
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    const failing = standInTerraform(
      project,
      `printf '\\n│ Error: Backend initialization required, please run "terraform init"\\n│\\n' >&2; exit 1`,
    );
    setEnvironment({ PATH: failing.path });
    const result = await report({ only: ['prod'] });
    expect(result.certificates[1]).toEqual({
      environment: 'prod',
      source: 'selfSigned',
      certificate: 'current',
      subject: 'CN=restore.example.com',
      warningDays: 30,
      status: 'unavailable',
      note: 'prod: its stack folder is not initialized (npm run plan runs terraform init there); or pass --outputs prod=<terraform output -json file>',
    });
    expect(certificateReportExitCode(result)).toBe(1);

    setEnvironment({ PATH: standInTerraform(project, `echo '{}'`).path });
    const notDeployed = await report({ only: ['prod'] });
    expect(notDeployed.certificates[1].note).toBe(
      'terraform output of prod is empty: prod is not deployed yet, and Terraform makes the certificate when it is applied (npx cdktf deploy prod, or the apply workflow)',
    );
    const text = formatCertificateReport(notDeployed, 'text');
    expect(text).toContain('prod current: not available (terraform output of prod is empty');
    expect(text).toContain('2 certificate(s): 1 not available.');
  }, PROCESS_TIMEOUT);

  test('gives one remedy for each reason a self-signed certificate cannot be read', async () => {
    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'current' }));
    rmSync(join(project.root, 'cdktf.out'), { recursive: true, force: true });
    const terraform = standInTerraform(project, `echo '{"tenant_id": {"value": "${TENANT}"}, "application_id": {"value": "x"}}'`);
    setEnvironment({ PATH: terraform.path });
    expect((await report({ only: ['prod'] })).certificates[0].note).toBe(
      'prod: its stack is not synthesized here, so its state cannot be read: npm run plan -- prod synthesizes and initializes it; or pass --outputs prod=<terraform output -json file>',
    );
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    expect((await report({ only: ['prod'] })).certificates[0].note).toBe(
      'terraform output of prod has no output certificate_current_pem: Terraform makes the certificate when prod is next applied',
    );
  }, PROCESS_TIMEOUT);

  test('rejects an outputs file that is not terraform output -json, naming it', async () => {
    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'next' }));
    writeFileSync(join(project.root, 'broken.json'), '{"certificate_next_pem": "-----BEGIN CERTIFICATE-----"}');
    const run = report({ only: ['prod'], outputsFiles: new Map([['prod', 'broken.json']]) });
    await expect(run).rejects.toThrow(
      new UserError('broken.json: output "certificate_next_pem" has no "value"; expected what `terraform output -json` prints: { "<output>": { "value": ... } }'),
    );
    await expect(report({ outputsFiles: new Map([['prod', 'missing.json']]) })).rejects.toThrow(new UserError('missing.json: file not found'));
    await expect(report({ outputsFiles: new Map([['prdo', 'broken.json']]) })).rejects.toThrow(
      new UserError('--outputs prdo=...: no such environment "prdo"; did you mean prod?'),
    );
  });

  test('--outputs for an environment that exists but was not named says so, not that it is unknown', async () => {
    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'next' }));
    project.writeEnvironment('lab', environmentWith({ source: 'selfSigned', name: 'next' }));
    await expect(report({ only: ['lab'], outputsFiles: new Map([['prod', 'prod-outputs.json']]) })).rejects.toThrow(
      new UserError('--outputs prod=...: prod is not among the environments named (lab); name it too, or leave its --outputs out'),
    );
  });

  test('fails on an invalid environment file rather than reporting it', async () => {
    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'next', rsaBits: 1024 }));
    await expect(report()).rejects.toThrow(InputError);
  });

  test('prints a table, a markdown table or JSON', async () => {
    const result = await report({ only: ['prod'] });
    const [header, row] = formatCertificateReport(result, 'text').split('\n');
    expect(header).toMatch(/^environment +source +certificate +subject +thumbprint +not after +days left +status$/);
    expect(row.split(/ {2,}/)).toEqual(['prod', 'file', 'certs/valid.cer', 'CN=restore.test.example', VALID_THUMBPRINT, '2036-11-24T20:10:01Z', '3615', 'valid']);
    expect(formatCertificateReport(result, 'markdown')).toContain(
      `| prod | file | certs/valid.cer | CN=restore.test.example | ${VALID_THUMBPRINT} | 2036-11-24T20:10:01Z | 3615 | valid |`,
    );
    expect(JSON.parse(formatCertificateReport(result, 'json'))).toEqual({ checkedAt: '2027-01-01T00:00:00Z', certificates: result.certificates });
  });

  test('a subject or a note with control characters is shown escaped, one row per certificate', async () => {
    const result = await report({ only: ['prod'] });
    const forged = { ...result, certificates: result.certificates.map((c) => ({ ...c, subject: 'CN=a\u001b[2J\nprod  file  forged', note: 'terraform said\n::error::x' })) };
    const text = formatCertificateReport(forged, 'text');
    expect(text).toContain('CN=a\\u001b[2J\\u000aprod  file  forged');
    expect(text).toContain('prod certs/valid.cer: not available (terraform said\\u000a::error::x)');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('npm run certs (command)', () => {
  const project = new TestProject();
  afterAll(() => project.remove());

  // Exit 0 and the other exit-code rules are pinned on certificateReportExitCode above.
  test('exits 2 when a certificate has expired, 1 on a bad environment, never with a stack trace', () => {
    project.writeEnvironment('prod', environmentWith(VALID, EXPIRED));
    const expired = runCommandIn(project, 'certs', ['--format', 'json']);
    expect(expired.status).toBe(2);
    expect(JSON.parse(expired.stdout).certificates.map((c: { status: string }) => c.status)).toEqual(['valid', 'expired']);

    project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'next', validityDays: 10 }));
    const invalid = runCommandIn(project, 'certs', []);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toBe(
      'environments/prod.ts: certificates[0].validityDays: renewBeforeDays (14, the default) must be below validityDays (10): Terraform plans a new certificate that many days before the current one expires\n' +
        'error: 1 problem(s) in the environment files\n',
    );
  }, PROCESS_TIMEOUT);
});

describe('npm run certs (examples and saved outputs)', () => {
  const project = new TestProject();
  project.writeEnvironment('prod', environmentWith({ source: 'selfSigned', name: 'current' }));
  project.writeEnvironment('demo', { ...environmentWith(VALID), tenantId: EXAMPLE_TENANT_ID });
  writeFileSync(join(project.root, 'outputs.json'), outputsJson('current'));
  afterAll(() => project.remove());
  const outputsFiles = new Map([['prod', 'outputs.json']]);

  test('passes an example by, as plan and drift do, and reports it when named', async () => {
    const all = await certificateReport({ projectRoot: project.root, now: NOW, outputsFiles });
    expect(all.certificates.map((c) => c.environment)).toEqual(['prod']);
    expect(all.examples.map((e) => e.name)).toEqual(['demo']);
    const named = await certificateReport({ projectRoot: project.root, now: NOW, only: ['demo'] });
    expect(named.certificates.map((c) => c.environment)).toEqual(['demo']);
  });

  test('with examples alone, says there was nothing to check rather than print an empty table that passed', () => {
    const none = { checkedAt: '2027-01-01T00:00:00Z', certificates: [], examples: [] };
    expect(formatCertificateReport(none, 'text')).toBe('no certificate to check: no environment but examples (name one to check it)');
    expect(formatCertificateReport(none, 'markdown')).toBe('no certificate to check: no environment but examples (name one to check it)');
  });

  test('takes --outputs <file> for the one environment named, and <env>=<file> otherwise', () => {
    const named = runCommandIn(project, 'certs', ['prod', '--outputs', 'outputs.json', '--format', 'json']);
    expect(named.status).toBe(0);
    expect(JSON.parse(named.stdout).certificates.map((c: { status: string }) => c.status)).toEqual(['valid']);
    const all = runCommandIn(project, 'certs', ['--outputs', 'outputs.json']);
    expect(all.status).toBe(1);
    expect(all.stderr).toMatch(/^error: --outputs outputs\.json: say which environment: --outputs <environment>=<file>\nusage: /);
  }, PROCESS_TIMEOUT);

  test("refuses outputs saved from another tenant's stack rather than report its certificates as this environment's", async () => {
    writeFileSync(join(project.root, 'other.json'), JSON.stringify({ ...JSON.parse(outputsJson('current')), tenant_id: { value: '99999999-9999-4999-8999-999999999999', type: 'string' } }));
    await expect(certificateReport({ projectRoot: project.root, now: NOW, outputsFiles: new Map([['prod', 'other.json']]) })).rejects.toThrow(
      /^other\.json: belongs to tenant 99999999-9999-4999-8999-999999999999, but environments\/prod\.ts has tenantId [0-9a-f-]{36}; use the outputs of prod \(terraform -chdir=cdktf\.out\/stacks\/prod output -json\)$/,
    );
  });

  test("refuses outputs saved from another environment's stack in the same tenant", async () => {
    writeFileSync(join(project.root, 'staging.json'), JSON.stringify({ ...JSON.parse(outputsJson('current')), environment: { value: 'staging', type: 'string' } }));
    await expect(certificateReport({ projectRoot: project.root, now: NOW, outputsFiles: new Map([['prod', 'staging.json']]) })).rejects.toThrow(
      /^staging\.json: belongs to environment staging \(its environment output\), not prod; use the outputs of prod/,
    );
  });
});
