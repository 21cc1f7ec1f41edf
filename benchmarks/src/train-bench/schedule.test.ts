import { describe, expect, it } from 'vitest';
import { plan } from './configurations.js';
import { schedule } from './schedule.js';

describe('bench:train schedule', () => {
  it('runs every warm-up first, then the timed steps round-robin', () => {
    const turns = schedule([
      { warmup: 2, steps: 3 },
      { warmup: 1, steps: 3 },
    ]);
    expect(turns).toEqual([
      { row: 0, timed: false },
      { row: 1, timed: false },
      { row: 0, timed: false },
      { row: 0, timed: true },
      { row: 1, timed: true },
      { row: 0, timed: true },
      { row: 1, timed: true },
      { row: 0, timed: true },
      { row: 1, timed: true },
    ]);
  });

  it('spreads a row with fewer steps evenly over the rounds', () => {
    const turns = schedule([
      { warmup: 0, steps: 16 },
      { warmup: 0, steps: 2 },
    ]);
    // Position of each timed step of row 1 among the 16 rounds: the middle and the end.
    let round = -1;
    const rounds: number[] = [];
    for (const t of turns) {
      if (t.row === 0) round++;
      else rounds.push(round);
    }
    expect(rounds).toEqual([7, 15]);
    expect(turns.filter((t) => t.row === 0)).toHaveLength(16);
  });

  it('gives tfjs-cpu rows an eighth of the steps, no warm-up, and skips its VGG11 unless --all', () => {
    const options = { models: ['base', 'vgg11'] as const, configurations: ['tfjs-cpu-1', 'tfjs-wasm-1'] as const, steps: 16, warmup: 3, quick: false, all: false };
    const cases = plan({ ...options, models: [...options.models], configurations: [...options.configurations] });
    expect(cases.map((c) => `${c.configuration} ${c.model} ${c.variant} ${c.warmup}+${c.steps}${c.skipped ? ' skipped' : ''}`)).toEqual([
      'tfjs-cpu-1 base conv 0+2',
      'tfjs-cpu-1 base linearconv 0+2',
      'tfjs-cpu-1 vgg11 conv 0+2 skipped',
      'tfjs-cpu-1 vgg11 linearconv 0+2 skipped',
      'tfjs-wasm-1 base conv 3+16',
      'tfjs-wasm-1 base linearconv 3+16',
      'tfjs-wasm-1 vgg11 conv 3+16',
      'tfjs-wasm-1 vgg11 linearconv 3+16',
    ]);
    const all = plan({ ...options, models: ['vgg11'], configurations: ['tfjs-cpu-1'], all: true, quick: true });
    expect(all.every((c) => c.skipped === undefined)).toBe(true);
    const quick = plan({ ...options, models: ['base'], configurations: ['tfjs-cpu-1'], quick: true });
    expect(quick.every((c) => c.skipped?.includes('--quick'))).toBe(true);
  });
});
