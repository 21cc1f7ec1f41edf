// Per-backend summaries live in the harness (the lab computes them too); this path stays for the report's imports.
export { type BackendSummary, type CaseCell, type CaseRow, caseRows, summariseBackends } from '@linearconv/conformance/bench';
