import { referenceFactory } from './reference-backend.js';
import { describeConformance } from './vitest.js';

// The reference backend runs the whole shared suite, exactly as an adapter would register its own.
describeConformance(referenceFactory);
