// The benchmark's layers live in the harness; this path stays for the CLI's test fixtures.
export { type BenchLayer, describeLayer, QUICK_LAYERS, selectLayers, standardLayers } from '@linearconv/conformance/bench';
