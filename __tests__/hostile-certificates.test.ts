import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CERTIFICATE_FILE_BYTES, readCertificateFile } from '../lib/certificates/certificate';
import { parseEnvironment } from '../lib/environment/environment';
import { formatProblem } from '../lib/process/problem';
import { certificateReport, certificateReportExitCode } from '../lib/certificates/certificate-report';
import { fileCertificates, FIXTURES, NOW, synthStack, TestProject, validInput } from './support/builders';
import { makeCertificate, testKey } from './support/certificates';
import { PROCESS_TIMEOUT } from './support/timeouts';

const VALID_PEM = readFileSync(join(FIXTURES, 'certs', 'valid.cer'), 'utf8');
const VALID_DER = readFileSync(join(FIXTURES, 'certs', 'valid.der.cer'));
const PRIVATE_KEY = 'contains a private key; refusing to use it';

/** A throwaway repository: certificate paths are relative to its environments/ and must stay inside it. */
let repo: string;
let environments: string;
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'hostile-certs-'));
  environments = join(repo, 'environments');
  mkdirSync(join(environments, 'certs'), { recursive: true });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const write = (name: string, content: string | Buffer) => {
  writeFileSync(join(environments, 'certs', name), content);
  return name;
};
const problemOf = (name: string): string => {
  const result = readCertificateFile(join(environments, 'certs', name), name, { within: repo });
  if (!('problem' in result)) throw new Error(`${name} was accepted`);
  return result.problem;
};
const thumbprintOf = (name: string): string => {
  const result = readCertificateFile(join(environments, 'certs', name), name, { within: repo });
  if ('problem' in result) throw new Error(result.problem);
  return result.certificate.thumbprint;
};
const fixtureThumbprint = () => thumbprintOf(write('reference.cer', VALID_PEM));

describe('a certificate path is checked before the file is read', () => {
  test('a FIFO fails at once instead of waiting for a writer', () => {
    spawnSync('mkfifo', [join(environments, 'certs', 'pipe.cer')]);
    expect(problemOf('pipe.cer')).toBe('pipe.cer is not a regular file (a FIFO, device or socket); give the .cer file itself');
  }, PROCESS_TIMEOUT);

  test('a device fails at once', () => {
    expect(readCertificateFile('/dev/zero', '/dev/zero')).toEqual({ problem: '/dev/zero is not a regular file (a FIFO, device or socket); give the .cer file itself' });
  });

  test('a folder', () => {
    mkdirSync(join(environments, 'certs', 'folder.cer'));
    expect(problemOf('folder.cer')).toBe('folder.cer is a folder, not a certificate file');
  });

  test(`a file over ${MAX_CERTIFICATE_FILE_BYTES / 1024} KiB, even a sparse one of 10 GB, without reading it`, () => {
    write('big.cer', VALID_PEM + ' '.repeat(MAX_CERTIFICATE_FILE_BYTES));
    write('sparse.cer', '');
    truncateSync(join(environments, 'certs', 'sparse.cer'), 10 * 1024 ** 3);
    for (const name of ['big.cer', 'sparse.cer']) {
      expect(problemOf(name)).toBe(`${name} is larger than a certificate file can be (at most 64 KiB); give the .cer file itself`);
    }
  });

  test('a path or a link leading out of the repository', () => {
    symlinkSync('/etc/hostname', join(environments, 'certs', 'link.cer'));
    const outside = (path: string) =>
      parseEnvironment(validInput({ certificates: [{ source: 'file', path }] }), { name: 't', file: 'environments/t.ts', environmentsDir: environments, now: NOW })
        .problems.map(formatProblem);
    for (const path of ['../../../etc/hostname', '/etc/hostname', 'certs/link.cer']) {
      expect(outside(path)).toEqual([`environments/t.ts: certificates[0].path: ${path} is outside the repository; keep certificate files in it, under environments/ (links are followed)`]);
    }
  });

  test('a link inside the repository is followed', () => {
    write('target.cer', VALID_PEM);
    symlinkSync('target.cer', join(environments, 'certs', 'current.cer'));
    expect(thumbprintOf('current.cer')).toBe(fixtureThumbprint());
  });

  test('long lines of almost-PEM are read in one pass (a backtracking pattern would not finish)', () => {
    write('dashes.cer', '-----BEGIN X'.repeat(5000));
    write('begins.cer', '-----BEGIN CERTIFICATE-----\n'.repeat(2000));
    expect(problemOf('dashes.cer')).toBe('dashes.cer has a line 1 that starts like a BEGIN or END line but is not one; the file is damaged');
    expect(problemOf('begins.cer')).toBe('begins.cer has a BEGIN line (line 2) inside the CERTIFICATE block begun on line 1; give one certificate');
  });
});

describe('a private key is refused in every form we can recognise, without quoting the file', () => {
  const { privateKey } = testKey();
  const pkcs8Pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pkcs1Pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pkcs8Der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const encryptedDer = privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'x' });
  const legacyEncrypted = privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString();
  const keyBody = pkcs8Pem.split('\n')[1];

  test.each([
    ['a DER key after a DER certificate', () => Buffer.concat([VALID_DER, pkcs8Der])],
    ['an encrypted DER key after a DER certificate', () => Buffer.concat([VALID_DER, encryptedDer])],
    ['a PEM key after a DER certificate', () => Buffer.concat([VALID_DER, Buffer.from(pkcs8Pem)])],
    ['a PKCS#8 key with lower-case headers', () => VALID_PEM + pkcs8Pem.toLowerCase().replace(/^(?!-).*$/gm, (l) => l.toUpperCase())],
    ['a key with mixed-case headers', () => VALID_PEM + pkcs1Pem.replace('BEGIN RSA PRIVATE KEY', 'Begin Rsa Private Key')],
    ['a key whose END line does not match its BEGIN line', () => VALID_PEM + pkcs1Pem.replace('END RSA PRIVATE KEY', 'END CERTIFICATE')],
    ['a PKCS#1 key before the certificate', () => pkcs1Pem + VALID_PEM],
    ['an encrypted PKCS#8 key', () => privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString()],
    ['an encrypted DER key alone', () => encryptedDer],
    ['a legacy encrypted PEM key (Proc-Type header)', () => legacyEncrypted],
    ['a key labelled CERTIFICATE', () => pkcs8Pem.replace(/PRIVATE KEY/g, 'CERTIFICATE')],
    ['a key in Base-64 without BEGIN and END lines', () => keyBodyOnly(pkcs8Pem)],
    ['a key in a UTF-16 file', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID_PEM + pkcs8Pem, 'utf16le')])],
    ['an OpenSSH private key', () => VALID_PEM + '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'],
  ])('%s', (_, content) => {
    const problem = problemOf(write('key.cer', content()));
    expect(problem).toContain(PRIVATE_KEY);
    expect(problem).not.toContain(keyBody.slice(0, 16));
  });

  test.each([
    ['a PKCS#1 key', () => privateKey.export({ type: 'pkcs1', format: 'der' })],
    ['a PKCS#8 key', () => pkcs8Der],
    ['an encrypted PKCS#8 key', () => encryptedDer],
  ])('%s inside an extension of the certificate', (_, key) => {
    const { pem } = makeCertificate({ notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'), extension: key() });
    expect(problemOf(write('extension.cer', pem))).toContain(PRIVATE_KEY);
  });

  test('a certificate with an extension that holds no key is read', () => {
    const { pem } = makeCertificate({ notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2036-01-01T00:00:00Z'), extension: Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]) });
    expect(readCertificateFile(join(environments, 'certs', write('harmless-extension.cer', pem)), 'harmless-extension.cer', { within: repo })).not.toHaveProperty('problem');
  });

  test('anything after the certificate that is not whitespace', () => {
    expect(problemOf(write('trailing.cer', VALID_PEM + 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n'))).toBe(
      'trailing.cer has text outside its certificate block (line 20); give the certificate alone, as Windows exports it',
    );
    expect(problemOf(write('trailing.der', Buffer.concat([VALID_DER, Buffer.from([1, 2, 3])])))).toBe(
      'trailing.der has 3 bytes after its certificate; give the certificate alone, as Windows exports it',
    );
    expect(thumbprintOf(write('newline.der', Buffer.concat([VALID_DER, Buffer.from('\r\n')])))).toBe(fixtureThumbprint());
  });

  test('a certificate request or a CRL is not a certificate', () => {
    expect(problemOf(write('csr.cer', VALID_PEM.replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST')))).toBe('csr.cer holds no certificate (found CERTIFICATE REQUEST)');
  });
});

describe('what Windows users produce', () => {
  test('Base-64 saved as UTF-16 (LE or BE) or UTF-8 with a byte order mark reads as the same certificate', () => {
    const crlf = VALID_PEM.replace(/\n/g, '\r\n');
    const utf16be = Buffer.from(crlf, 'utf16le').swap16();
    expect(thumbprintOf(write('le.cer', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, 'utf16le')])))).toBe(fixtureThumbprint());
    expect(thumbprintOf(write('be.cer', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be])))).toBe(fixtureThumbprint());
    expect(thumbprintOf(write('bom.cer', `\ufeff${crlf}`))).toBe(fixtureThumbprint());
  });

  test('a PKCS #7 (.p7b) file, DER or Base-64, gets how to export a .cer', () => {
    const p7b = (form: string) =>
      execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(FIXTURES, 'certs', 'valid.cer'), '-outform', form]);
    const expected = (name: string) => `${name} is a PKCS #7 (.p7b) file; export the certificate alone as "DER encoded binary X.509 (.CER)" or "Base-64 encoded X.509 (.CER)"`;
    expect(problemOf(write('portal.p7b', p7b('DER')))).toBe(expected('portal.p7b'));
    expect(problemOf(write('portal-b64.p7b', p7b('PEM')))).toBe(expected('portal-b64.p7b'));
  }, PROCESS_TIMEOUT);
});

describe('a certificate that is not valid yet', () => {
  const parseWith = (...certificates: Buffer[] | string[]) => {
    const entries = certificates.map((content, i) => ({ source: 'file', path: `certs/${write(`future-${i}.cer`, content)}` }));
    return parseEnvironment(validInput({ certificates: entries }), { name: 't', file: 'environments/t.ts', environmentsDir: environments, now: NOW });
  };
  const future = () => makeCertificate({ notBefore: new Date('2027-06-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }).pem;

  test('is accepted for Entra with a warning, and never named in the VB365 command while another is valid now', () => {
    const result = parseWith(VALID_PEM, future());
    expect(result.problems).toEqual([]);
    expect(result.warnings.map(formatProblem)).toContainEqual(
      expect.stringMatching(/^environments\/t\.ts: certificates\[1\]\.path: certs\/future-1\.cer \(thumbprint [0-9A-F]{40}\) is not valid until 2027-06-01T00:00:00Z: Entra gets it as a key credential starting then, and VB365 cannot sign in with it before, so the VB365 command names a certificate that is valid now$/),
    );
    const [valid, next] = fileCertificates(result.environment!);
    const stack = synthStack(result.environment!);
    expect(stack.output.vb365_restore_portal_command.value).toContain(valid.thumbprint);
    expect(stack.output.vb365_restore_portal_command.value).not.toContain(next.thumbprint);
    expect(stack.resource.azuread_application_certificate[`portal_${next.thumbprint.toLowerCase()}`].start_date).toBe('2027-06-01T00:00:00Z');
  });

  test('alone, it is named, with a warning that VB365 cannot sign in until it is valid', () => {
    expect(parseWith(future()).warnings.map(formatProblem)).toContain(
      'environments/t.ts: certificates: no certificate is valid now: VB365 cannot sign in to Entra until the first one becomes valid; add one that is valid now',
    );
  });
});

function keyBodyOnly(pem: string): string {
  return pem.split('\n').filter((l) => !l.startsWith('-----')).join('\n');
}

describe('the certificates report', () => {
  test('says notYetValid for a certificate staged for a rotation, without failing the check', async () => {
    const project = new TestProject();
    writeFileSync(join(project.environmentsDir, 'certs', 'next.cer'), makeCertificate({ notBefore: new Date('2027-06-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z') }).pem);
    project.writeEnvironment('prod', validInput({ certificates: [{ source: 'file', path: 'certs/valid.cer' }, { source: 'file', path: 'certs/next.cer' }] }));
    const report = await certificateReport({ projectRoot: project.root, now: NOW });
    expect(report.certificates.map((c) => [c.certificate, c.status])).toEqual([
      ['certs/valid.cer', 'valid'],
      ['certs/next.cer', 'notYetValid'],
    ]);
    expect(certificateReportExitCode(report)).toBe(0);
  });
});
