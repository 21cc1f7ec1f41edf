import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The browser tests run the built site (dist/site): `pnpm build` first (turbo's test task depends on build).
export default mergeConfig(shared, { test: {} });
