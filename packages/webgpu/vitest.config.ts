import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The tests import the sources directly, not the package's Node build: give them Dawn as it does.
export default mergeConfig(shared, { test: { setupFiles: ['src/dawn.ts'] } });
