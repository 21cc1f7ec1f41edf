// File-system loading of case files and the machine's description, for Node: the main entry
// and ./bench stay free of node:* modules.
export { caseFiles, committedCasesDir, loadCases, MAX_CASE_FILE_BYTES } from './cases.js';
export { nodeDevice } from './node-device.js';
