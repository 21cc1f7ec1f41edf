// The Node build of the main entry (export condition `node`): the same API, with Dawn behind getGpu().
import './dawn.js';

export * from './index.js';
