import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint.js';
import { writeReport } from './report.js';
import { type ReproduceOptions, type ReproduceResult, reproduce } from './reproduce.js';

// 2 epochs of 2 batches of 10 images (small, to keep it fast). The penalty on global steps 0
// and 3 only: a count restored wrongly (or restarted) would put it on step 2 instead.
const options: ReproduceOptions = {
  budget: 'tiny',
  sizes: { digits: { train: 20, test: 20 } },
  epochs: 2,
  seeds: [1],
  datasets: ['digits'],
  variants: ['conv', 'Lr'],
  hyperparameters: { batchSize: 10, correlationEvery: 3, correlationOffset: 0, correlationRestartEachEpoch: false },
};

class Interrupted extends Error {}

describe('checkpoint and --resume', () => {
  it('ends a run stopped after an epoch and resumed bit-identical to one never stopped, and keeps finished runs', async () => {
    const straightDir = await mkdtemp(join(tmpdir(), 'reproduce-straight-'));
    const straight = await reproduce({ ...options, checkpoint: join(straightDir, 'checkpoint') });
    // A finished reproduction leaves no checkpoint behind.
    expect(await readdir(straightDir)).toEqual([]);

    // Stop in the second run (Lr), just after its first epoch's checkpoint, as a kill would.
    const dir = await mkdtemp(join(tmpdir(), 'reproduce-resume-'));
    const checkpoint = join(dir, 'checkpoint');
    const partials: ReproduceResult[] = [];
    await expect(
      reproduce({
        ...options,
        checkpoint,
        onRun: async (partial) => void partials.push(partial),
        onCheckpoint: ({ variant, epochsDone }) => {
          if (variant === 'Lr' && epochsDone === 1) throw new Interrupted();
        },
      }),
    ).rejects.toBeInstanceOf(Interrupted);
    // Partial results after the first run.
    expect(partials.map((p) => [p.complete, p.runs.length, p.runsPlanned])).toEqual([[false, 1, 2]]);
    await writeReport(partials[0], dir);
    expect(await readFile(join(dir, 'results.md'), 'utf8')).toContain('Partial results: 1 of 2 runs');

    const saved = (await readCheckpoint(checkpoint))!;
    expect(saved.finished.map((r) => r.variant)).toEqual(['conv']);
    expect(saved.current).toMatchObject({ dataset: 'digits', variant: 'Lr', seed: 1, state: { epochsDone: 1, regulariserSteps: [2, 2, 2, 2] } });
    const state = saved.current!.state;
    // 19 draws for the first epoch's permutation of 20 images; Adam after 2 steps.
    expect(state.batchOrder).toEqual({ seed: 3, draws: 19 });
    expect(state.epochLosses).toHaveLength(1);
    expect(state.optimizer.weights[0]).toMatchObject({ name: 'iter', dtype: 'int32', values: Int32Array.from([2]) });
    expect(state.optimizer.accBeta1).toBe(Math.fround(Math.fround(0.9) * Math.fround(0.9) * Math.fround(0.9)));
    expect(state.model.length).toBeGreaterThan(0);

    // Without --resume, an unfinished checkpoint is not overwritten.
    await expect(reproduce({ ...options, checkpoint })).rejects.toThrow(/holds an unfinished run \(1 of its runs done.*pass --resume/);
    // With other settings it is not resumed.
    await expect(reproduce({ ...options, epochs: 3, checkpoint, resume: true })).rejects.toThrow(/other settings \(epochs\)/);

    const lines: string[] = [];
    const numTensors = tf.memory().numTensors;
    const resumed = await reproduce({ ...options, checkpoint, resume: true, progress: { write: (t: string) => lines.push(t) } });
    expect(tf.memory().numTensors).toBe(numTensors);
    // Only the stopped run trained again, from its second epoch.
    expect(lines.filter((l) => l.startsWith('run '))).toEqual(['run 2/2: digits Base-Lr, seed 1 (resumed after epoch 1)\n']);
    expect(lines.filter((l) => / e\d\/2 \[/.test(l)).map((l) => l.match(/e\d\/2/)![0])).toEqual(['e2/2']);
    expect(resumed).toMatchObject({ complete: true, sessions: 2 });
    expect(await readdir(dir)).not.toContain('checkpoint');

    for (const [i, run] of straight.runs.entries()) {
      const again = resumed.runs[i];
      expect(again.variant).toBe(run.variant);
      expect(again.weightsSha256).toBe(run.weightsSha256);
      expect(again.testAccuracy).toBe(run.testAccuracy);
      expect(again.epochLosses).toEqual(run.epochLosses);
      expect(again.correlation.bank.matrix).toEqual(run.correlation.bank.matrix);
    }
    expect(resumed.summary.map((r) => r.accuracy.mean)).toEqual(straight.summary.map((r) => r.accuracy.mean));
  }, 120_000);

  it('says when there is nothing to resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reproduce-none-'));
    await expect(reproduce({ ...options, checkpoint: join(dir, 'checkpoint'), resume: true })).rejects.toThrow(/no checkpoint in .* to continue/);
  });
});
