import { LinearConvError } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { NameScope, requireName, sanitizeName } from './names.js';

describe('names', () => {
  it('sanitises tfjs names into identifiers', () => {
    expect(sanitizeName('layer1.0/conv-2')).toBe('layer1_0_conv_2');
    expect(sanitizeName('1st')).toBe('_1st');
    expect(sanitizeName('ok_name')).toBe('ok_name');
  });

  it('hands out each name once', () => {
    const scope = new NameScope();
    expect([scope.unique('a.b'), scope.unique('a_b'), scope.unique('a/b')]).toEqual(['a_b', 'a_b_1', 'a_b_2']);
    scope.reserve('outputName', 'output');
    expect(scope.unique('output')).toBe('output_1');
    expect(() => scope.reserve('inputName', 'output')).toThrow(LinearConvError);
  });

  it('takes user-chosen interface names only when they are identifiers', () => {
    expect(requireName('inputName', 'pixels')).toBe('pixels');
    expect(() => requireName('inputName', 'two words')).toThrow(/^inputName: must be an identifier/);
    expect(() => requireName('inputName', '')).toThrow(LinearConvError);
  });
});
