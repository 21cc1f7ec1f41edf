import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinearConvError } from '@linearconv/core';
import { errorOf } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFormatError } from './case.js';
import { caseFiles, committedCasesDir, loadCases, MAX_CASE_FILE_BYTES } from './cases.js';

describe('loadCases: what it refuses before reading', () => {
  let dir: string;
  const at = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'load-cases-'));
    mkdirSync(at('folder.json'));
    symlinkSync(at('missing-target.json'), at('dangling.json'));
    execFileSync('mkfifo', [at('fifo.json')]);
    // Sparse: the size is what counts, and it is refused before a byte is read.
    writeFileSync(at('huge.json'), '');
    truncateSync(at('huge.json'), MAX_CASE_FILE_BYTES + 1);
    mkdirSync(at('empty'));
    mkdirSync(at('mixed'));
    copyFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), at('mixed/a.json'));
    execFileSync('mkfifo', [at('mixed/b.json')]);
    mkdirSync(at('good'));
    copyFileSync(join(committedCasesDir, 'hand-2x2-ones.json'), at('good/hand.json'));
    symlinkSync(join(committedCasesDir, 'odd-f7.json'), at('good/linked.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a folder named *.json', 'folder.json', /is a folder, not a regular file/],
    ['a dangling symbolic link', 'dangling.json', /symbolic link whose target does not exist/],
    ['a FIFO (never opened: opening one would block)', 'fifo.json', /is a FIFO, not a regular file/],
    ['a character device', '/dev/null', /is a device, not a regular file/],
    ['a file above the size limit', 'huge.json', new RegExp(`${MAX_CASE_FILE_BYTES + 1} bytes, above the ${MAX_CASE_FILE_BYTES}-byte limit`)],
    ['a path that does not exist', 'nowhere.json', /does not exist/],
  ])('%s: one CaseFormatError naming the file', (_, name, rule) => {
    const path = name.startsWith('/') ? name : at(name);
    const error = errorOf(() => loadCases([path]), CaseFormatError);
    expect(error.file).toBe(path);
    expect(error.member).toBe('(file)');
    expect(error.message).toMatch(rule);
  });

  it('refuses a FIFO inside a folder before reading any file of it, and names it', () => {
    const error = errorOf(() => loadCases([at('mixed')]), CaseFormatError);
    expect(error.file).toBe(at('mixed/b.json'));
    expect(error.message).toMatch(/FIFO/);
  });

  it('refuses a folder with no case files', () => {
    const error = errorOf(() => caseFiles([at('empty')]), CaseFormatError);
    expect([error.file, error.member]).toEqual([at('empty'), '(folder)']);
    expect(error.message).toMatch(/holds no case files/);
  });

  it('reads regular files and symbolic links to them, sorted by name', () => {
    expect(caseFiles([at('good')])).toEqual([at('good/hand.json'), at('good/linked.json')]);
    expect(loadCases([at('good')]).map((c) => c.name)).toEqual(['hand-2x2-ones', 'odd-f7']);
  });

  it('refuses the same case twice, naming both files', () => {
    const error = errorOf(() => loadCases([at('good'), join(committedCasesDir, 'odd-f7.json')]), CaseFormatError);
    expect(error.member).toBe('name');
    expect(error.message).toMatch(/"odd-f7" is already used by .*linked\.json/);
  });

  it.each([
    ['a string instead of a list', 'cases', 'paths'],
    ['an empty list', [], 'paths'],
    ['a list holding a number', [42], 'paths[0]'],
    ['a list holding an empty string', [''], 'paths[0]'],
  ])('refuses %s as paths, naming it', (_, paths, field) => {
    const before = structuredClone(paths);
    expect(errorOf(() => loadCases(paths as never), LinearConvError).field).toBe(field);
    expect(errorOf(() => caseFiles(paths as never), LinearConvError).field).toBe(field);
    expect(paths).toEqual(before);
  });
});
