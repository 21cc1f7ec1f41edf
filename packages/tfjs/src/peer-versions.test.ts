import { readFileSync } from 'node:fs';
import { LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { loadedTfjs, SUPPORTED_TFJS, satisfiesCaret, tfjsMismatch } from './peer-versions.js';

describe('the tfjs peer check', () => {
  it('states the same range as package.json and the README', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) expect(pkg.peerDependencies[name]).toBe(SUPPORTED_TFJS);
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`${SUPPORTED_TFJS}\``);
  });

  it.each([
    ['4.22.0', true],
    ['4.22.3', true],
    ['4.23.0', true],
    ['4.30.0-rc.1', true],
    ['4.21.0', false],
    ['4.21.9', false],
    ['3.22.0', false],
    ['5.0.0', false],
    ['', false],
    ['next', false],
  ])('%s in ^4.22.0: %s', (version, inside) => {
    expect(satisfiesCaret(version, '^4.22.0')).toBe(inside);
  });

  it('refuses ranges it cannot judge', () => {
    expect(() => satisfiesCaret('4.22.0', '>=4.22')).toThrow(LinearConvError);
  });

  it('names the installed and the required version of the package out of range', () => {
    const core = tfjsMismatch({ core: '4.21.0', layers: '4.22.0', foreignEngine: false });
    expect(core).toBeInstanceOf(LinearConvError);
    expect(core!.field).toBe('@tensorflow/tfjs-core');
    expect(core!.message).toMatch(/^@tensorflow\/tfjs-core: 4\.21\.0 is installed, @linearconv\/tfjs needs \^4\.22\.0 \(npm install @tensorflow\/tfjs@\^4\.22\.0;/);
    const layers = tfjsMismatch({ core: '4.22.0', layers: '4.21.0', foreignEngine: false });
    expect(layers!.message).toMatch(/^@tensorflow\/tfjs-layers: 4\.21\.0 is installed, @linearconv\/tfjs needs \^4\.22\.0/);
  });

  it('refuses a second tfjs-core copy that made the engine, naming ours and the range', () => {
    const error = tfjsMismatch({ core: '4.22.0', layers: '4.22.0', foreignEngine: true });
    expect(error!.message).toMatch(/two copies are loaded: another one made the tfjs engine before @linearconv\/tfjs's 4\.22\.0 \(it needs \^4\.22\.0\)/);
  });

  it('accepts what this workspace installs, as this process loaded it', () => {
    const loaded = loadedTfjs();
    expect(loaded.foreignEngine).toBe(false);
    expect(tfjsMismatch(loaded)).toBeUndefined();
    expect(tfjsMismatch({ core: '4.22.0', layers: '4.22.0', foreignEngine: false })).toBeUndefined();
  });
});
