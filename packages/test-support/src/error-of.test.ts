import { describe, expect, it } from 'vitest';
import { errorOf, rejectionOf } from './error-of.js';

class FieldError extends Error {
  constructor(readonly field: string) {
    super(field);
  }
}

describe('errorOf', () => {
  it('returns the thrown error, typed as the class asked for', () => {
    expect(
      errorOf(() => {
        throw new FieldError('x');
      }, FieldError).field,
    ).toBe('x');
  });

  it('fails the test when nothing is thrown, another class is thrown, or a promise comes back', () => {
    expect(() => errorOf(() => 1)).toThrow(/to be thrown/);
    expect(() =>
      errorOf(() => {
        throw new TypeError('t');
      }, FieldError),
    ).toThrow(/instance of FieldError/i);
    expect(() => errorOf(async () => {})).toThrow(/rejectionOf/);
  });

  it('rejectionOf: returns the rejection, fails on a resolution', async () => {
    expect((await rejectionOf(Promise.reject(new FieldError('y')), FieldError)).field).toBe('y');
    await expect(rejectionOf(async () => 1)).rejects.toThrow(/resolved/);
  });
});
