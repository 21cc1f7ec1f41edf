// File-system loading of case files, for Node: the main entry stays free of node:* modules.
export { caseFiles, committedCasesDir, loadCases, MAX_CASE_FILE_BYTES } from './cases.js';
