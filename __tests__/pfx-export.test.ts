import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { UserError } from '../lib/process/command-line';
import { exportPfx, type PfxExportOptions } from '../lib/certificates/pfx-export';
import { readPfxPassword } from '../lib/certificates/pfx-password';
import { REPO_ROOT, TENANT, TestProject, validInput } from './support/builders';
import { setEnvironment } from './support/clean-up';
import { makeCertificate, testKey } from './support/certificates';
import { installCommand, runCommandIn, standInTerraform } from './support/commands';
import { selfSignedOutputsJson, selfSignedValues } from './support/outputs';
import { PROCESS_TIMEOUT } from './support/timeouts';

const PASSWORD = 'Kennwort-für-VB365';

/** What `openssl pkcs12` reads from the file with the password: certificate and key PEM, and the algorithms. */
function openPfx(file: string, password: string): { pem: string; info: string } {
  const env = { ...process.env, PFX_TEST_PASSWORD: password };
  const args = ['pkcs12', '-in', file, '-passin', 'env:PFX_TEST_PASSWORD'];
  const pem = execFileSync('openssl', [...args, '-nodes'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = spawnSync('openssl', [...args, '-info', '-noout'], { env, encoding: 'utf8' }).stderr;
  return { pem, info };
}

describe('npm run export-pfx (library)', () => {
  const project = new TestProject();
  const current = selfSignedValues(project.root, 'current');
  const next = selfSignedValues(project.root, 'next');
  writeFileSync(join(project.root, 'one.json'), selfSignedOutputsJson({ current }));
  writeFileSync(join(project.root, 'two.json'), selfSignedOutputsJson({ current, next }));
  afterAll(() => project.remove());

  let count = 0;
  const newOut = () => `portal-${++count}.pfx`;
  const exportTo = (options: Partial<PfxExportOptions>) =>
    exportPfx({ projectRoot: project.root, environment: 'prod', outputsFile: 'one.json', out: newOut(), password: PASSWORD, ...options });

  test('writes a PFX that openssl opens with the password, holding the certificate and its key, readable by its owner only', async () => {
    const result = await exportTo({ out: 'portal.pfx' });
    const file = join(project.root, 'portal.pfx');
    expect(result).toEqual({
      file,
      certificate: 'current',
      thumbprint: new X509Certificate(current.certificatePem).fingerprint.replace(/:/g, ''),
      notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const { pem, info } = openPfx(file, PASSWORD);
    const certificate = new X509Certificate(pem);
    expect(certificate.raw.equals(new X509Certificate(current.certificatePem).raw)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(pem))).toBe(true);
    // TripleDES-SHA1, the protection Windows Server 2016 imports.
    expect(info).toContain('MAC: sha1');
    expect(info).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC');
    expect(() => openPfx(file, 'a wrong password')).toThrow();
  }, PROCESS_TIMEOUT);

  test('reads the outputs through terraform in the synthesized stack', async () => {
    mkdirSync(join(project.root, 'cdktf.out/stacks/prod'), { recursive: true });
    const terraform = standInTerraform(project, `cat '${join(project.root, 'one.json')}'`);
    setEnvironment({ PATH: terraform.path });
    expect((await exportTo({ outputsFile: undefined })).certificate).toBe('current');
    expect(readFileSync(terraform.callsLog, 'utf8')).toContain('output -no-color -json');
  }, PROCESS_TIMEOUT);

  test('chooses among several self-signed certificates by --certificate', async () => {
    const result = await exportTo({ outputsFile: 'two.json', certificate: 'next', out: 'next.pfx' });
    expect(result.certificate).toBe('next');
    expect(new X509Certificate(openPfx(join(project.root, 'next.pfx'), PASSWORD).pem).subject).toBe('CN=next.example.com');
    await expect(exportTo({ outputsFile: 'two.json' })).rejects.toThrow(
      new UserError('two.json has several self-signed certificates ("current", "next"); choose one with --certificate <name>'),
    );
    await expect(exportTo({ certificate: 'nxet' })).rejects.toThrow(
      new UserError('one.json has no self-signed certificate "nxet" (no output certificate_nxet_private_key_pem); it has "current"'),
    );
  }, PROCESS_TIMEOUT);

  test('never overwrites a file silently, and replaces it with --force', async () => {
    writeFileSync(join(project.root, 'taken.pfx'), 'keep me');
    await expect(exportTo({ out: 'taken.pfx' })).rejects.toThrow(
      new UserError('--out taken.pfx: the file exists; refusing to overwrite it (pass --force to replace it)'),
    );
    expect(readFileSync(join(project.root, 'taken.pfx'), 'utf8')).toBe('keep me');
    await exportTo({ out: 'taken.pfx', force: true });
    expect(statSync(join(project.root, 'taken.pfx')).mode & 0o777).toBe(0o600);
    expect(openPfx(join(project.root, 'taken.pfx'), PASSWORD).pem).toContain('BEGIN CERTIFICATE');
  }, PROCESS_TIMEOUT);

  test.each<[string, Partial<PfxExportOptions>, string]>([
    ['an outputs file without the certificate outputs', { outputsFile: 'no-certs.json' }, 'no-certs.json has no self-signed certificate outputs (certificate_<name>_pem and certificate_<name>_private_key_pem): does environment "prod" list a { source: "selfSigned" } certificate, and has it been applied?'],
    ['an outputs file that is not terraform output -json', { outputsFile: 'not-outputs.json' }, 'not-outputs.json: is not a JSON object; expected what `terraform output -json` prints'],
    ['a private key that is not the certificate’s', { outputsFile: 'mismatch.json' }, 'mismatch.json: output certificate_current_private_key_pem is not the key of certificate'],
    ['a certificate PEM missing', { outputsFile: 'key-only.json' }, 'key-only.json has no output certificate_current_pem (a non-empty string)'],
    ['a file name other than .pfx or .p12', { out: 'portal.key' }, '--out portal.key: name the file .pfx or .p12'],
    ['a folder that does not exist', { out: 'nowhere/portal.pfx' }, '--out nowhere/portal.pfx: folder nowhere does not exist'],
    ['no synthesized stack', { environment: 'staging', outputsFile: undefined }, 'staging: not synthesized: run `npm run synth` first; or pass --outputs <file> saved from terraform output -json'],
  ])('refuses %s, naming it, and writes nothing', async (_, options, message) => {
    writeFileSync(join(project.root, 'no-certs.json'), JSON.stringify({ application_id: { value: 'x' } }));
    writeFileSync(join(project.root, 'not-outputs.json'), '["certificate_current_pem"]');
    writeFileSync(join(project.root, 'mismatch.json'), selfSignedOutputsJson({ current: { ...current, privateKeyPem: next.privateKeyPem } }));
    const keyOnly = JSON.parse(selfSignedOutputsJson({ current }));
    delete keyOnly.certificate_current_pem;
    writeFileSync(join(project.root, 'key-only.json'), JSON.stringify(keyOnly));
    const out = options.out ?? newOut();
    await expect(exportTo({ ...options, out })).rejects.toThrow(UserError);
    await expect(exportTo({ ...options, out })).rejects.toThrow(message);
    expect(existsSync(join(project.root, out))).toBe(false);
  }, PROCESS_TIMEOUT);
});

describe("export-pfx refuses what VB365 cannot use or what is not the environment's, before asking for a password", () => {
  const project = new TestProject();
  const current = selfSignedValues(project.root, 'current');
  const DAY = 24 * 60 * 60 * 1000;
  const expired = {
    certificatePem: makeCertificate({ commonName: 'old.example.com', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 35 * DAY) }).pem,
    privateKeyPem: testKey().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
  const withOutputs = (file: string, extra: Record<string, unknown>, certificates: Record<string, typeof current> = { current }) => {
    writeFileSync(join(project.root, file), JSON.stringify({ ...JSON.parse(selfSignedOutputsJson(certificates)), ...extra }));
    return file;
  };
  const output = (value: unknown) => ({ sensitive: false, type: typeof value === 'string' ? 'string' : 'list', value });
  const PROD = {
    name: 'prod',
    file: 'environments/prod.ts',
    tenantId: TENANT,
    redirectUris: ['https://restore.example.com:4443'],
    certificates: [{ source: 'file' }, { source: 'selfSigned', name: 'current' }],
  };
  let count = 0;
  const exportTo = (options: Partial<PfxExportOptions>) =>
    exportPfx({ projectRoot: project.root, environment: 'prod', environmentFile: PROD, out: `checked-${++count}.pfx`, password: PASSWORD, ...options });
  const refusal = async (options: Partial<PfxExportOptions>) => {
    const out = `refused-${++count}.pfx`;
    const error = await exportTo({ ...options, out }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(existsSync(join(project.root, out))).toBe(false);
    return (error as UserError).message;
  };
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => project.remove());

  test('an expired certificate, unless --allow-expired', async () => {
    const file = withOutputs('expired.json', {}, { current: expired });
    expect(await refusal({ outputsFile: file })).toMatch(
      /^self-signed certificate "current" \([0-9A-F]{40}\) expired on \d{4}-\d\d-\d\dT[\d:]{8}Z, and VB365 cannot sign in with it: plan and apply prod, and Terraform makes a new one .*; pass --allow-expired to export it all the same$/,
    );
    expect((await exportTo({ outputsFile: file, allowExpired: true })).certificate).toBe('current');
  }, PROCESS_TIMEOUT);

  test('an environment that lists no self-signed certificate, or not the one asked for, without blaming terraform', async () => {
    const fileOnly = { ...PROD, certificates: [{ source: 'file' }] };
    // Not synthesized, no --outputs: terraform is never asked.
    expect(await refusal({ environmentFile: fileOnly })).toBe(
      'environments/prod.ts lists no self-signed certificate ({ source: "selfSigned", name }): export-pfx builds the PFX of a certificate Terraform made. The private key of a certificate file never leaves the VB365 server it came from: export the PFX there (Export-PfxCertificate)',
    );
    expect(await refusal({ certificate: 'next' })).toBe('--certificate next: environments/prod.ts has no self-signed certificate of that name; it has "current"');
    const listedNotApplied = { ...PROD, certificates: [{ source: 'selfSigned', name: 'next' }] };
    expect(await refusal({ environmentFile: listedNotApplied, outputsFile: withOutputs('applied.json', {}) })).toBe(
      'applied.json has no outputs of self-signed certificate "next" (certificate_next_pem): Terraform makes it when prod is applied; apply it, then export',
    );
  }, PROCESS_TIMEOUT);

  test("outputs saved from another environment in the same tenant: by the environment output, or else by the redirect URIs", async () => {
    const tenant = { tenant_id: output(TENANT) };
    expect(await refusal({ outputsFile: withOutputs('staging.json', { ...tenant, environment: output('staging') }) })).toBe(
      'staging.json: belongs to environment staging (its environment output), not prod; use the outputs of prod (terraform -chdir=cdktf.out/stacks/prod output -json)',
    );
    expect(await refusal({ outputsFile: withOutputs('older.json', { ...tenant, redirect_uris: output(['https://staging.example.com:4443']) }) })).toBe(
      'older.json: lists none of the redirect URIs of environments/prod.ts (it has 1), so it was saved from another environment; use the outputs of prod (terraform -chdir=cdktf.out/stacks/prod output -json)',
    );
    expect(await refusal({ outputsFile: withOutputs('adopted.json', { application_id: output('0d3f5a6b-1111-4222-8333-444455556666') }), environmentFile: { ...PROD, adoption: { clientId: '7a3c9d2e-1b4f-4c8a-9e6d-5f2a1b3c4d5e' } } })).toMatch(
      /^adopted\.json: belongs to application 0d3f5a6b-1111-4222-8333-444455556666, but environments\/prod\.ts adopts 7a3c9d2e-/,
    );
    // What a hostile file says of itself is quoted short, never whole.
    const hostile = await refusal({ outputsFile: withOutputs('hostile.json', { ...tenant, environment: output(`prod\n::error::${'x'.repeat(100_000)}`) }) });
    // (Control characters are escaped where the message is printed, as in every UserError.)
    expect(hostile).toMatch(/^hostile\.json: belongs to environment "prod\n::error::x+\.\.\." \(its environment output\), not prod;/);
    expect(hostile.length).toBeLessThan(300);
    const own = withOutputs('own.json', { ...tenant, environment: output('prod'), redirect_uris: output(['https://restore.example.com:4443', 'https://old.example.com:4443']) });
    expect((await exportTo({ outputsFile: own })).certificate).toBe('current');
  }, PROCESS_TIMEOUT);

  test.each([
    ['ENOSPC', 'no space left on the device (ENOSPC)'],
    ['EROFS', 'read-only file system (EROFS)'],
  ])('a disk that fails the write (%s): one line, and nothing half-written', async (code, words) => {
    const outputsFile = withOutputs(`disk-${code}.json`, {});
    // The module object itself, which the writer calls through (an ES import of it is a frozen copy).
    const fs: typeof import('node:fs') = require('node:fs');
    const real = fs.writeFileSync;
    // Half the bytes reach the disk, then it fails, as a full disk does; a read-only one fails at once.
    jest.spyOn(fs, 'writeFileSync').mockImplementation(((file: string, data: Uint8Array, options: object) => {
      if (code === 'ENOSPC') real(file, data.subarray(0, data.length >> 1), options);
      throw Object.assign(new Error(`${code}: simulated`), { code, syscall: 'write' });
    }) as typeof fs.writeFileSync);
    const before = readdirSync(project.root).sort();
    const out = `full-${code}.pfx`;
    await expect(exportTo({ outputsFile, out })).rejects.toThrow(new UserError(`--out ${out}: cannot be written: ${words}; nothing was written`));
    expect(readdirSync(project.root).sort()).toEqual(before);
  });
});

describe('the PFX password', () => {
  const noTerminal = { input: new PassThrough(), output: new PassThrough() };

  test('comes from PFX_PASSWORD, at least 12 characters', async () => {
    await expect(readPfxPassword({ ...noTerminal, env: { PFX_PASSWORD: PASSWORD } })).resolves.toBe(PASSWORD);
    await expect(readPfxPassword({ ...noTerminal, env: { PFX_PASSWORD: 'short' } })).rejects.toThrow(
      new UserError("$PFX_PASSWORD must be at least 12 characters: it protects the Restore Portal's private key"),
    );
  });

  test('is asked twice without echo at a terminal', async () => {
    const terminal = () => Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const input = terminal();
    const output = new PassThrough();
    const asked = readPfxPassword({ env: {}, input, output });
    input.write(`${PASSWORD}x\u007f\r`);
    setImmediate(() => input.write(`${PASSWORD}\r`));
    await expect(asked).resolves.toBe(PASSWORD);
    expect(output.read().toString()).toBe('PFX password: \nRepeat it: \n');

    const mismatched = terminal();
    const asking = readPfxPassword({ env: {}, input: mismatched, output: new PassThrough() });
    mismatched.write(`${PASSWORD}\r`);
    setImmediate(() => mismatched.write(`${PASSWORD}!\r`));
    await expect(asking).rejects.toThrow(new UserError('the passwords do not match; nothing written'));
  });

  test('is refused when neither the variable nor a terminal can give it', async () => {
    await expect(readPfxPassword({ ...noTerminal, env: {} })).rejects.toThrow(
      new UserError('no PFX password: set PFX_PASSWORD (e.g. from your CI secret store) or run in a terminal to be asked; it is never taken from the command line'),
    );
  });
});

describe('npm run export-pfx (command)', () => {
  const project = new TestProject();
  project.writeEnvironment('prod', validInput({ certificates: [{ source: 'selfSigned', name: 'current' }] }));
  const current = selfSignedValues(project.root, 'current');
  writeFileSync(join(project.root, 'outputs.json'), selfSignedOutputsJson({ current }));
  afterAll(() => project.remove());

  test('refuses an unknown environment, and outputs saved from another tenant, before asking for a password', () => {
    const unknown = runCommandIn(project, 'export-pfx', ['prdo', '--out', 'c.pfx', '--outputs', 'outputs.json'], { PFX_PASSWORD: undefined });
    expect(unknown).toMatchObject({ status: 1, stderr: 'error: no such environment "prdo"; did you mean prod?\n' });
    const other = JSON.parse(selfSignedOutputsJson({ current }));
    other.tenant_id = { sensitive: false, type: 'string', value: '99999999-9999-4999-8999-999999999999' };
    writeFileSync(join(project.root, 'other-outputs.json'), JSON.stringify(other));
    const wrong = runCommandIn(project, 'export-pfx', ['prod', '--out', 'c.pfx', '--outputs', 'other-outputs.json'], { PFX_PASSWORD: undefined });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^error: other-outputs\.json: belongs to tenant 99999999-9999-4999-8999-999999999999, but environments\/prod\.ts has tenantId [0-9a-f-]{36}; use the outputs of prod \(terraform -chdir=cdktf.out\/stacks\/prod output -json\)\n$/);
    expect(existsSync(join(project.root, 'c.pfx'))).toBe(false);
  }, PROCESS_TIMEOUT);

  test('writes the PFX with the password from PFX_PASSWORD and exits 0', () => {
    const run = runCommandIn(project, 'export-pfx', ['prod', '--out', 'portal.pfx', '--outputs', 'outputs.json'], { PFX_PASSWORD: PASSWORD });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^wrote portal\.pfx \(mode 0600\): self-signed certificate "current", thumbprint [0-9A-F]{40}/);
    expect(openPfx(join(project.root, 'portal.pfx'), PASSWORD).pem).toContain('BEGIN CERTIFICATE');
  }, PROCESS_TIMEOUT);

  test('exits 1 with one line and no file when the password source is wrong', () => {
    const onArgv = runCommandIn(project, 'export-pfx', ['prod', '--out', 'a.pfx', '--password', PASSWORD]);
    expect(onArgv.status).toBe(1);
    expect(onArgv.stderr).toBe(
      'error: a password is never taken from the command line (shell history and process lists keep it); set PFX_PASSWORD or answer the prompt\n',
    );
    const none = runCommandIn(project, 'export-pfx', ['prod', '--out', 'a.pfx', '--outputs', 'outputs.json'], { PFX_PASSWORD: undefined });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^error: no PFX password: set PFX_PASSWORD .*\n$/);
    expect(existsSync(join(project.root, 'a.pfx'))).toBe(false);
  }, PROCESS_TIMEOUT);

  test('refuses an expired certificate before asking for a password, and exports it with --allow-expired', () => {
    const expired = {
      certificatePem: makeCertificate({ notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') }).pem,
      privateKeyPem: testKey().privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    };
    writeFileSync(join(project.root, 'expired-outputs.json'), selfSignedOutputsJson({ current: expired }));
    const args = ['prod', '--out', 'old.pfx', '--outputs', 'expired-outputs.json'];
    const refused = runCommandIn(project, 'export-pfx', args, { PFX_PASSWORD: undefined });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^error: self-signed certificate "current" \([0-9A-F]{40}\) expired on 2025-01-01T00:00:00Z, .*--allow-expired to export it all the same\n$/);
    expect(existsSync(join(project.root, 'old.pfx'))).toBe(false);
    expect(runCommandIn(project, 'export-pfx', [...args, '--allow-expired'], { PFX_PASSWORD: PASSWORD }).status).toBe(0);
    expect(existsSync(join(project.root, 'old.pfx'))).toBe(true);
  }, PROCESS_TIMEOUT);

  test('the documented way to give PFX_PASSWORD keeps it off every command line, and export-pfx takes it', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs/certificates.md'), 'utf8');
    const blocks = [...page.matchAll(/```sh\n([^]*?)```/g)].map((block) => block[1].replace(/^ {2}/gm, ''));
    // No command the docs give types the password (export PFX_PASSWORD=..., PFX_PASSWORD=... npm run ...).
    for (const line of blocks.join('\n').split('\n')) expect(line).not.toMatch(/PFX_PASSWORD=/);
    const procedure = blocks.find((block) => block.includes('read -rs PFX_PASSWORD'));
    expect(procedure).toBeDefined();
    const command = `"${process.execPath}" --require "${join(REPO_ROOT, 'bin/register-ts.js')}" "${join(installCommand(project, 'export-pfx'), 'export-pfx.ts')}"`;
    const script = procedure!.replace(/npm run export-pfx --/g, command).replace('--out portal.pfx', '--out documented.pfx --outputs outputs.json');
    // The password arrives as typed at the prompt of read: on standard input, never in the script.
    const run = spawnSync('bash', ['-e', '-c', script], { cwd: project.root, input: `${PASSWORD}\n`, encoding: 'utf8', env: { ...process.env, PFX_PASSWORD: undefined, INIT_CWD: project.root } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(openPfx(join(project.root, 'documented.pfx'), PASSWORD).pem).toContain('BEGIN CERTIFICATE');
  }, PROCESS_TIMEOUT);

  test('finds a missing certificate before asking for a password', () => {
    const run = runCommandIn(project, 'export-pfx', ['prod', '--out', 'b.pfx', '--outputs', 'missing.json'], { PFX_PASSWORD: undefined });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: .*missing\.json.*\n$/);
    expect(run.stderr).not.toContain('password');
  }, PROCESS_TIMEOUT);
});
