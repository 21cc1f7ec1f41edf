export * from './browser-page.js';
export * from './error-of.js';
export * from './readme-snippets.js';
export * from './static-server.js';
export * from './conformance-page.js';
