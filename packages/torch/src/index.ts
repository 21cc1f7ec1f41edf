// Browser-safe: bytes in, no file system (readTorchFile is in '@linearconv/torch/node').
export { type CheckpointFormat, checkpointFormat, readStateDict } from './read-state-dict.js';
export { readSafetensors } from './safetensors.js';
export { isTorchTensor, type StateDict, type StateDictValue, type TorchDtype, type TorchTensor } from './state-dict.js';
export { type ReadOptions, readTorchZip } from './torch-zip.js';
