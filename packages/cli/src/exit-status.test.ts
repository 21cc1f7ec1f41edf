import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaseFormatError } from '@linearconv/conformance';
import { LinearConvError, MissingDependencyError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { verdict } from './commands/conformance.js';
import { EXIT, UsageError } from './io.js';
import { failure } from './main.js';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/linearconv.js');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

function captured() {
  const io = { out: '', err: '' };
  return { io, sink: { out: (t: string) => (io.out += `${t}\n`), err: (t: string) => (io.err += `${t}\n`) } };
}

describe('exit statuses', () => {
  it('are distinct, the internal one EX_SOFTWARE', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, internal: 70 });
  });

  it.each([
    ['UsageError', new UsageError('--mode must be compact or folded'), 'linearconv export: --mode must be compact or folded\n'],
    ['LinearConvError', new LinearConvError('model', 'must be one of base'), 'linearconv export: model: must be one of base\n'],
    ['MissingDependencyError', new MissingDependencyError('ONNX export', '@linearconv/onnx'), 'linearconv export: ONNX export: needs @linearconv/onnx, which is not installed (npm install @linearconv/onnx)\n'],
    ['CaseFormatError', new CaseFormatError('/x/a.json', 'layer', 'is required'), 'linearconv export: /x/a.json: layer: is required\n'],
    ['a multi-line LinearConvError', new LinearConvError('model', 'tfjs says:\n  line two\n  line three'), 'linearconv export: model: tfjs says: line two line three\n'],
  ])('a %s is bad input: one line, exit 2', (_, error, line) => {
    const { io, sink } = captured();
    expect(failure('export', error, sink, {})).toBe(EXIT.usage);
    expect(io).toEqual({ out: '', err: line });
  });

  it('a file-system error on a path is bad input too', () => {
    const { io, sink } = captured();
    const error = Object.assign(new Error("EACCES: permission denied, open '/x/bench.json'"), { code: 'EACCES', syscall: 'open', path: '/x/bench.json' });
    expect(failure('report', error, sink, {})).toBe(EXIT.usage);
    expect(io.err).toBe("linearconv report: EACCES: permission denied, open '/x/bench.json'\n");
  });

  it('anything else is an internal error: one line saying where to report it, the stack only on request', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'shape')");
    const quiet = captured();
    expect(failure('bench', bug, quiet.sink, {})).toBe(EXIT.internal);
    expect(quiet.io.err).toBe(
      `linearconv bench: internal error: TypeError: Cannot read properties of undefined (reading 'shape') (a bug in linearconv ${pkg.version}: please report it at ${pkg.bugs.url} with the command line; LINEARCONV_DEBUG=1 prints the stack)\n`,
    );
    const debug = captured();
    expect(failure('bench', bug, debug.sink, { LINEARCONV_DEBUG: '1' })).toBe(EXIT.internal);
    const [line, ...stack] = debug.io.err.trimEnd().split('\n');
    expect(line).toMatch(/^linearconv bench: internal error: TypeError: .*with the command line\)$/);
    expect(stack[0]).toBe(`TypeError: Cannot read properties of undefined (reading 'shape')`);
    expect(stack[1]).toMatch(/^\s+at /);
    expect(failure(undefined, 'thrown string', captured().sink, {})).toBe(EXIT.internal);
  });

  it('a conformance run passes only when checks ran and none failed', () => {
    expect(verdict({ passed: 3, failed: 0, skipped: 2 })).toEqual({ status: EXIT.ok });
    expect(verdict({ passed: 3, failed: 1, skipped: 0 })).toEqual({ status: EXIT.failed });
    expect(verdict({ passed: 0, failed: 0, skipped: 143 })).toEqual({ status: EXIT.failed, note: 'no check ran (143 skipped), which is not a pass' });
    expect(verdict({ passed: 0, failed: 0, skipped: 0 }).status).toBe(EXIT.failed);
  });
});

describe('CLI conventions, as a real process', () => {
  const run = (...argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 60_000 });

  it('--version prints the version of package.json', () => {
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it('no arguments: the usage on stderr, exit 2; --help: on stdout, exit 0, with the exit statuses', () => {
    const bare = run();
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: linearconv <command> \[options\]/);
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(bare.stderr);
    expect(help.stdout).toMatch(/Exit status:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n(.*\n)* {2}70 {2}an internal error/);
    expect(help.stdout).toContain('LINEARCONV_DEBUG=1');
  });
});
