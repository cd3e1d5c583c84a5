// The module object itself, not an import copy, so that a spy on it is what the writer calls.
import fs = require('node:fs');
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { temporaryFileWriter, writeFileAtomically } from '../lib/process/atomic-file';
import { onCleanUp, temporaryFolder } from './support/clean-up';

let dir: string;
beforeEach(() => {
  dir = temporaryFolder('atomic-file-');
});
afterEach(() => jest.restoreAllMocks());

describe('writeFileAtomically', () => {
  test('writes a new file and replaces an existing one, leaving nothing beside it', () => {
    const file = join(dir, 'cdk.tf.json');
    expect(writeFileAtomically(file, 'first')).toBe(true);
    expect(writeFileAtomically(file, 'second')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(dir)).toEqual(['cdk.tf.json']);
  });

  test('refuses to overwrite an existing file when asked, and leaves it as it was', () => {
    const file = join(dir, 'portal.pfx');
    writeFileSync(file, 'the old key');
    expect(writeFileAtomically(file, 'a new key', { overwrite: false })).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('the old key');
    expect(readdirSync(dir)).toEqual(['portal.pfx']);
    expect(writeFileAtomically(join(dir, 'other.pfx'), 'a new key', { overwrite: false })).toBe(true);
    expect(readFileSync(join(dir, 'other.pfx'), 'utf8')).toBe('a new key');
  });

  test('replaces a symbolic link planted in its place, never the file it points to', () => {
    const target = join(dir, 'victim');
    writeFileSync(target, 'keep me');
    const file = join(dir, 'portal.pfx');
    symlinkSync(target, file);
    expect(writeFileAtomically(file, 'key', { overwrite: false })).toBe(false);
    expect(writeFileAtomically(file, 'key')).toBe(true);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('key');
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  test('gives the file exactly the mode asked for, whatever the umask', () => {
    const previous = process.umask(0o077);
    onCleanUp(() => process.umask(previous));
    const file = join(dir, 'portal.pfx');
    writeFileAtomically(file, 'key', { mode: 0o640 });
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  test('fails with the file system error, leaving no temporary file, when a folder is in the way', () => {
    const file = join(dir, 'manifest.json');
    mkdirSync(file);
    expect(() => writeFileAtomically(file, '{}')).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(EISDIR|EEXIST|ENOTEMPTY)$/) }));
    expect(statSync(file).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  });

  test('fails with ENOENT when the folder does not exist, creating nothing', () => {
    expect(() => writeFileAtomically(join(dir, 'missing', 'cdk.tf.json'), '{}')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(readdirSync(dir)).toEqual([]);
  });

  test('removes the half-written temporary file when the disk fills up, and the old file stays', () => {
    const file = join(dir, 'cdk.tf.json');
    writeFileSync(file, 'the earlier synth');
    const write = fs.writeFileSync;
    jest.spyOn(fs, 'writeFileSync').mockImplementation((path, data, options) => {
      write(path, String(data).slice(0, 3), options as fs.WriteFileOptions);
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    expect(() => writeFileAtomically(file, 'the new synth')).toThrow('ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe('the earlier synth');
    expect(readdirSync(dir)).toEqual(['cdk.tf.json']);
  });

  test("names its temporary file so that a later run can tell which process left it", () => {
    const written: string[] = [];
    const write = fs.writeFileSync;
    jest.spyOn(fs, 'writeFileSync').mockImplementation((path, ...rest) => {
      written.push(String(path));
      return write(path, ...rest);
    });
    writeFileAtomically(join(dir, 'cdk.tf.json'), '{}');
    expect(written).toHaveLength(1);
    expect(temporaryFileWriter(basename(written[0]), 'cdk.tf.json')).toBe(process.pid);
    expect(temporaryFileWriter(basename(written[0]), 'manifest.json')).toBeUndefined();
    expect(temporaryFileWriter('cdk.tf.json', 'cdk.tf.json')).toBeUndefined();
  });
});
