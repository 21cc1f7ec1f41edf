// The Node build of ./conformance (export condition `node`): the same backend, with Dawn behind getGpu().
import './dawn.js';

export * from './conformance-backend.js';
