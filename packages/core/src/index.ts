export * from './compose.js';
export * from './errors.js';
export * from './initializers.js';
export * from './random.js';
export * from './regularizers.js';
export * from './spec.js';
export * from './tensor.js';
