import { describe, expect, it } from 'vitest';
import { budgets, parseFlags } from './flags.js';

describe('parseFlags', () => {
  it('defaults to the default budget, every dataset and variant', () => {
    const options = parseFlags([]);
    expect(options).toMatchObject({ budget: 'default', ...budgets.default, seeds: [1], dataSeed: 0, banks: false, help: false });
    expect(options.datasets).toEqual(['fashion', 'digits']);
    expect(options.variants).toEqual(['conv', 'L', 'Lr', 'LRr']);
  });

  it('takes a budget, and explicit flags over it', () => {
    expect(parseFlags(['--budget', 'smoke'])).toMatchObject({ budget: 'smoke', train: 100, test: 100, epochs: 1 });
    expect(parseFlags(['--budget', 'quick'])).toMatchObject({ budget: 'quick', train: 1000, test: 500, epochs: 1, seeds: [1] });
    const options = parseFlags(['--budget=full', '--epochs', '3', '--seeds', '2', '--datasets', 'digits', '--variants', 'conv,LRr', '--out', '/tmp/x', '--bank-heatmaps']);
    expect(options).toMatchObject({ budget: 'full, adjusted', train: 8000, epochs: 3, seeds: [1, 2], datasets: ['digits'], variants: ['conv', 'LRr'], out: '/tmp/x', banks: true });
  });

  it('says what is wrong', () => {
    expect(() => parseFlags(['--budget', 'huge'])).toThrow("--budget must be one of smoke, quick, default, full, got 'huge'");
    expect(() => parseFlags(['--train', 'many'])).toThrow("--train must be an integer ≥ 1, got 'many'");
    expect(() => parseFlags(['--epochs', '0'])).toThrow("--epochs must be an integer ≥ 1, got '0'");
    expect(() => parseFlags(['--seeds', '1.5'])).toThrow("--seeds must be an integer ≥ 1, got '1.5'");
    expect(() => parseFlags(['--datasets', 'cifar'])).toThrow("--datasets: 'cifar' is not one of fashion, digits");
    expect(() => parseFlags(['--variants', 'conv,Lrr'])).toThrow("--variants: 'Lrr' is not one of conv, L, Lr, LRr");
    expect(() => parseFlags(['--variants', 'Lr,Lr'])).toThrow('names one twice');
    expect(() => parseFlags(['--train', '9000', '--test', '2000'])).toThrow(/digits: train \+ test must be at most 10000/);
    expect(() => parseFlags(['--speed'])).toThrow(/speed/);
    expect(() => parseFlags(['fast'])).toThrow(/fast/);
    expect(() => parseFlags(['--train'])).toThrow(/train/);
  });

  it('checks sizes only against the datasets it runs', () => {
    expect(parseFlags(['--datasets', 'fashion', '--train', '20000', '--test', '5000']).train).toBe(20_000);
  });
});
