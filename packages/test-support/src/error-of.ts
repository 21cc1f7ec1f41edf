import { assert, expect } from 'vitest';

/** An error class to check a thrown value against (LinearConvError, CaseFormatError, TypeError…). */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * The error `fn` throws, checked to be a `type` (any Error by default); the test fails when `fn`
 * returns instead. A function that returns a promise is a mistake here: use `rejectionOf`.
 */
export function errorOf<E extends Error = Error>(fn: () => unknown, type?: ErrorClass<E>): E {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return checked(e, type);
  }
  if (isThenable(result)) {
    // Settle it so an eventual rejection is not reported as unhandled on top of this failure.
    result.then(undefined, () => {});
    return assert.fail('errorOf: the function returned a promise; use rejectionOf for async code');
  }
  return assert.fail(`expected ${type?.name ?? 'an error'} to be thrown, but the function returned`);
}

/** The error a promise (or an async function) rejects with, checked as `errorOf` checks it. */
export async function rejectionOf<E extends Error = Error>(work: Promise<unknown> | (() => Promise<unknown>), type?: ErrorClass<E>): Promise<E> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (e) {
    return checked(e, type);
  }
  return assert.fail(`expected a rejection with ${type?.name ?? 'an error'}, but it resolved`);
}

function checked<E extends Error>(thrown: unknown, type: ErrorClass<E> | undefined): E {
  expect(thrown).toBeInstanceOf(type ?? Error);
  return thrown as E;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
