import { LinearConvError } from '@linearconv/core';
import { Environment, env, version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';

/** The tfjs releases this package is built and tested against; package.json's peer ranges say the same. */
export const SUPPORTED_TFJS = '^4.22.0';

/** What a process has loaded, as this package sees it. */
export interface LoadedTfjs {
  /** `version_core` of the tfjs-core this package imports. */
  readonly core: string;
  /** `version_layers` of the tfjs-layers this package imports. */
  readonly layers: string;
  /**
   * Whether the global tfjs engine was made by another copy of tfjs-core. tfjs-core keeps one engine
   * per process (on the global object) and the first copy loaded makes it; layers built by the
   * other copy's tfjs-layers then mix with ours and fail ("got 'SymbolicTensor'").
   */
  readonly foreignEngine: boolean;
}

/** What is wrong with the loaded tfjs for this package, as a LinearConvError; undefined when nothing is. */
export function tfjsMismatch(loaded: LoadedTfjs, supported: string = SUPPORTED_TFJS): LinearConvError | undefined {
  for (const [name, version] of [['@tensorflow/tfjs-core', loaded.core], ['@tensorflow/tfjs-layers', loaded.layers]] as const) {
    if (!satisfiesCaret(version, supported)) {
      return new LinearConvError(
        name,
        `${version} is installed, @linearconv/tfjs needs ${supported} (npm install @tensorflow/tfjs@${supported}; npm ls ${name} lists the copies)`,
      );
    }
  }
  if (loaded.foreignEngine) {
    return new LinearConvError(
      '@tensorflow/tfjs-core',
      `two copies are loaded: another one made the tfjs engine before @linearconv/tfjs's ${loaded.core} (it needs ${supported}), and models mixing their layers fail; install one tfjs in ${supported} (npm ls @tensorflow/tfjs-core lists the copies)`,
    );
  }
  return undefined;
}

/** `version` within the caret range `range` (`^M.m.p`: same major, at least M.m.p); prerelease tags are ignored. */
export function satisfiesCaret(version: string, range: string): boolean {
  const want = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!want) throw new LinearConvError('range', `must be ^MAJOR.MINOR.PATCH, got ${JSON.stringify(range)}`);
  const have = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!have) return false;
  const [major, minor, patch] = have.slice(1).map(Number);
  const [wantMajor, wantMinor, wantPatch] = want.slice(1).map(Number);
  if (major !== wantMajor) return false;
  return minor > wantMinor || (minor === wantMinor && patch >= wantPatch);
}

/** The facts `tfjsMismatch` judges, from the tfjs this package imports. */
export function loadedTfjs(): LoadedTfjs {
  // env() is the global engine's environment: an instance of our Environment class only if our copy made it.
  return { core: version_core, layers: version_layers, foreignEngine: !(env() instanceof Environment) };
}

/** Fails loudly on import of @linearconv/tfjs when the tfjs in the process cannot work with it. */
export function checkTfjsPeers(): void {
  const mismatch = tfjsMismatch(loadedTfjs());
  if (mismatch) throw mismatch;
}
