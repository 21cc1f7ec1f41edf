import { describe, expect, it } from 'vitest';
import { changelogReleases, foreignSubjects, isDependencyUpdate } from './changelog.js';

const names = ['@linearconv/cli', '@linearconv/conformance', '@linearconv/core', '@linearconv/onnx', '@linearconv/tfjs'];

describe('changelogReleases', () => {
  it('reads the sections and entries changesets writes, continuation lines joined', () => {
    const markdown = [
      '# @linearconv/cli',
      '',
      '## 0.2.0',
      '',
      '### Minor Changes',
      '',
      '- `linearconv bench` (LinearConv against a plain conv',
      '  on every backend).',
      '- First release.',
      '',
      '### Patch Changes',
      '',
      '- Updated dependencies',
      '  - @linearconv/core@0.2.0',
      '',
      '## 0.1.0',
      '',
      '- Older.',
    ].join('\n');
    const releases = changelogReleases(markdown);
    expect(releases.map((r) => r.version)).toEqual(['0.2.0', '0.1.0']);
    expect(releases[0].entries).toEqual([
      '`linearconv bench` (LinearConv against a plain conv on every backend).',
      'First release.',
      'Updated dependencies - @linearconv/core@0.2.0',
    ]);
    expect(releases[0].entries.map(isDependencyUpdate)).toEqual([false, false, true]);
  });
});

describe('foreignSubjects', () => {
  it('finds another package used as a label, announced, or starting a sentence', () => {
    // Shapes of the shared texts the CHANGELOGs used to repeat.
    expect(foreignSubjects('Prepared layers. `@linearconv/conformance`: `Backend.prepare` (optional)', '@linearconv/cli', names)).toEqual([
      '@linearconv/conformance',
    ]);
    expect(foreignSubjects('New `@linearconv/onnx`: `exportModel` and `exportLayer` to ONNX.', '@linearconv/cli', names)).toEqual(['@linearconv/onnx']);
    expect(foreignSubjects('The reference backend implements it. `@linearconv/tfjs` and `@linearconv/onnx` implement it too', '@linearconv/conformance', names)).toEqual([
      '@linearconv/tfjs',
    ]);
    expect(foreignSubjects('New LinearConv2D. Core gains `fitCoefficients`. The CLI runs conformance on `tfjs-cpu`.', '@linearconv/tfjs', names)).toEqual([
      '@linearconv/cli',
      '@linearconv/core',
    ]);
  });

  it('lets an entry name its own package, and others as objects', () => {
    expect(foreignSubjects('New `@linearconv/onnx`: `exportModel`. Core types are re-exported.', '@linearconv/onnx', ['@linearconv/onnx'])).toEqual([]);
    expect(foreignSubjects('`linearconv export` writes ONNX through `@linearconv/onnx` (install it next to the CLI).', '@linearconv/cli', names)).toEqual([]);
    expect(foreignSubjects('`linearconv conformance` runs on the `tfjs-cpu` backend; conformance-backend names stay.', '@linearconv/cli', names)).toEqual([]);
  });
});
