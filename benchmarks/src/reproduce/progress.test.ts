import { describe, expect, it } from 'vitest';
import { duration, epochProgress } from './progress.js';

describe('epochProgress', () => {
  it('redraws one line with \\r on a TTY and keeps the last', () => {
    let out = '';
    const bar = epochProgress('run', 4, { isTTY: true, columns: 200, write: (t: string) => (out += t) });
    bar.update(1, 2.5);
    bar.update(2, 2.25);
    bar.finish(2);
    const frames = out.split('\r').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(`run [######${'.'.repeat(18)}] 1/4 loss 2.5000 0:00 elapsed, ETA 0:00\x1b[K`);
    expect(frames[2]).toMatch(/4\/4 loss 2\.0000 .*\n$/);
    expect(out.match(/\n/g)).toHaveLength(1);
  });

  it('writes a plain line per epoch when not a TTY', () => {
    let out = '';
    const bar = epochProgress('run', 4, { write: (t: string) => (out += t) });
    bar.update(1, 2.5);
    bar.finish(2);
    expect(out).toMatch(/^run \[#{24}\] 4\/4 loss 2\.0000 0:00 elapsed, ETA 0:00\n$/);
  });

  it('keeps a redrawn line inside the terminal', () => {
    let out = '';
    epochProgress('a long label', 10, { isTTY: true, columns: 30, write: (t: string) => (out += t) }).update(5, 1);
    expect(out.replace('\r', '').replace('\x1b[K', '')).toHaveLength(29);
  });
});

describe('duration', () => {
  it('prints m:ss or h:mm:ss', () => {
    expect(duration(75)).toBe('1:15');
    expect(duration(4000)).toBe('1:06:40');
    expect(duration(Number.NaN)).toBe('–');
  });
});
