import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { configurationIds } from './configurations.js';
import { defaults, parseFlags } from './flags.js';

const errorOf = (argv: string[]) => {
  try {
    parseFlags(argv);
  } catch (e) {
    return e as LinearConvError;
  }
  throw new Error(`parseFlags(${JSON.stringify(argv)}) did not throw`);
};

describe('bench:train flags', () => {
  it('defaults to every model and configuration, batch 32, no JSON', () => {
    expect(parseFlags([])).toEqual({
      json: false,
      models: ['base', 'vgg11'],
      configurations: configurationIds,
      steps: defaults.steps,
      warmup: defaults.warmup,
      batch: 32,
      quick: false,
      all: false,
      profile: false,
      seed: 1,
      out: undefined,
      help: false,
    });
  });

  it('--profile asks for the per-kernel profiles', () => {
    expect(parseFlags(['--profile'])).toMatchObject({ profile: true });
  });

  it('--quick lowers steps, warm-up and batch, and explicit flags still win', () => {
    expect(parseFlags(['--quick'])).toMatchObject({ quick: true, ...defaults.quick });
    expect(parseFlags(['--quick', '--steps', '5', '--batch', '32'])).toMatchObject({ quick: true, steps: 5, warmup: defaults.quick.warmup, batch: 32 });
  });

  it('reads lists in table order, and the `--` pnpm passes first', () => {
    expect(parseFlags(['--', '--json', '--models', 'vgg11,base', '--configs', 'pytorch-cpu-1, tfjs-wasm-1', '--out', 'x'])).toMatchObject({
      json: true,
      models: ['base', 'vgg11'],
      configurations: ['tfjs-wasm-1', 'pytorch-cpu-1'],
      out: 'x',
    });
    expect(parseFlags(['--warmup', '0']).warmup).toBe(0);
  });

  it.each([
    [['--bogus'], '--bogus'],
    [['--steps'], '--steps'],
    [['--steps', '0'], '--steps'],
    [['--steps', '1.5'], '--steps'],
    [['--warmup', '-1'], '--warmup'],
    [['--batch', 'many'], '--batch'],
    [['--models', 'resnet18'], '--models'],
    [['--models', 'base,base'], '--models'],
    [['--configs', 'tfjs-webgpu-1'], '--configs'],
  ])('%j is a LinearConvError naming %s', (argv, flag) => {
    const e = errorOf(argv);
    expect(e).toBeInstanceOf(LinearConvError);
    expect(e.field).toBe(flag);
    expect(e.message).toContain(flag);
  });

  it('the CLI exits 2 on a bad flag, naming it, before starting any worker', () => {
    const main = fileURLToPath(new URL('../../dist/train-bench/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [main, '--steps', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--steps: must be an integer ≥ 1, got 'x'");
    expect(r.stderr).toContain('Usage: pnpm bench:train');
    expect(r.stdout).toBe('');
  });
});
