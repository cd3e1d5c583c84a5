import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCertificateFile } from '../lib/certificates/certificate';
import { FIXTURES, problemsOf, validInput } from './support/builders';
import { PROCESS_TIMEOUT } from './support/timeouts';

const cert = (name: string) => join(FIXTURES, 'certs', name);
const read = (file: string) => readCertificateFile(file, file.split('/').pop()!);
const problemOf = (file: string) => {
  const result = read(file);
  if (!('problem' in result)) throw new Error('expected a problem');
  return result.problem;
};

describe('certificate files as Windows and VB365 export them', () => {
  const reference = read(cert('valid.cer'));
  if (!('certificate' in reference)) throw new Error(reference.problem);
  const { certificate } = reference;

  test('reads Base-64 (PEM), Base-64 with CRLF line ends and DER to the same certificate', () => {
    for (const name of ['valid-crlf.cer', 'valid.der.cer']) {
      const result = read(cert(name));
      expect(result).toHaveProperty('certificate.thumbprint', certificate.thumbprint);
      expect(result).toHaveProperty('certificate.pem', certificate.pem);
    }
  });

  test('gives the SHA-1 thumbprint as Windows shows it', () => {
    const expected = execFileSync('openssl', ['x509', '-in', cert('valid.cer'), '-noout', '-fingerprint', '-sha1'])
      .toString()
      .replace(/^.*=/, '')
      .replace(/:/g, '')
      .trim();
    expect(certificate.thumbprint).toBe(expected);
  }, PROCESS_TIMEOUT);

  test('carries the certificate only, as PEM with LF line ends', () => {
    expect(certificate.pem).toBe(readFileSync(cert('valid.cer'), 'utf8'));
    expect(certificate.pem).not.toContain('\r');
  });

  test('knows subject, validity and key size', () => {
    expect(certificate).toMatchObject({ subject: 'CN=restore.test.example', rsaBits: 2048 });
    expect(certificate.notAfter.toISOString()).toBe('2036-11-24T20:10:01.000Z');
  });
});

describe('certificate files that are refused', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'restore-portal-certs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyBody = keyPem.split('\n')[1];
  const write = (name: string, content: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  test.each([
    ['a PEM private key', () => write('key.pem', keyPem)],
    ['a certificate with its private key', () => write('both.pem', readFileSync(cert('valid.cer'), 'utf8') + keyPem)],
    ['an encrypted private key', () => write('enc.pem', privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString())],
    ['a DER PKCS#8 private key', () => write('key.der', privateKey.export({ type: 'pkcs8', format: 'der' }))],
    ['a DER PKCS#1 private key', () => write('key1.der', privateKey.export({ type: 'pkcs1', format: 'der' }))],
  ])('%s, without quoting any of the file', (_, make) => {
    const problem = problemOf(make());
    expect(problem).toContain('contains a private key; refusing to use it');
    expect(problem).not.toContain(keyBody.slice(0, 16));
  });

  test('a PFX (PKCS#12) file', () => {
    const keyFile = write('pfx.key', keyPem);
    const pfx = join(dir, 'portal.pfx');
    execFileSync('openssl', ['req', '-x509', '-key', keyFile, '-subj', '/CN=pfx.test', '-days', '30', '-out', join(dir, 'pfx.cer')]);
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyFile, '-in', join(dir, 'pfx.cer'), '-out', pfx, '-passout', 'pass:secret']);
    expect(problemOf(pfx)).toContain('portal.pfx contains a private key; refusing to use it');
  }, PROCESS_TIMEOUT);

  test('a missing file, naming the folder paths are relative to', () => {
    expect(problemOf(join(dir, 'nope.cer'))).toBe('file not found: nope.cer (paths are relative to environments/)');
  });

  test('a folder instead of a file', () => {
    const folder = join(dir, 'certs.cer');
    mkdirSync(folder);
    expect(problemOf(folder)).toBe('certs.cer is a folder, not a certificate file');
  });

  test('a file that is not a certificate', () => {
    expect(problemOf(cert('not-a-certificate.cer'))).toContain('not-a-certificate.cer is not an X.509 certificate');
  });

  test('a chain of several certificates', () => {
    expect(problemOf(cert('chain.pem'))).toContain('holds 2 certificates; give exactly one');
  });

  test('an expired certificate', () => {
    const expired = (path: string, now?: Date) => problemsOf(validInput({ certificates: [{ source: 'file', path }] }), { now });
    expect(expired('certs/expired.cer')).toEqual([
      expect.stringMatching(/certificates\[0\]\.path: certs\/expired\.cer \(thumbprint [0-9A-F]{40}\) expired on 2021-01-01T00:00:00Z/),
    ]);
    expect(expired('certs/valid.cer', new Date('2037-01-01T00:00:00Z'))[0]).toContain('expired on 2036-11-24T20:10:01Z');
  });

  test('an RSA key under 2048 bits', () => {
    expect(problemOf(cert('rsa-1024.cer'))).toBe('rsa-1024.cer has a 1024-bit RSA key; Entra requires at least 2048 bits');
  });

  test('a key that is not RSA', () => {
    expect(problemOf(cert('ec-p256.cer'))).toContain('has an EC key; the Restore Portal\'s certificate must have an RSA key');
  });
});
