export { parseGtoTag, gtoTagArtifactName, isValidGtoName, isValidGtoFullName } from './parseGtoTag.js';
export { parseDvcYaml } from './parseDvcYaml.js';
export type { ParseDvcYamlOptions } from './parseDvcYaml.js';
export { varsFilesOf, DEFAULT_VARS_FILE } from './varsFiles.js';
export type { VarsFiles } from './varsFiles.js';
export { parseDvcLock } from './parseDvcLock.js';
export { parseDvcFile } from './parseDvcFile.js';
export { parseDataFile } from './parseDataFile.js';
export { parsePythonParams } from './parsePythonParams.js';
export { parseMetrics } from './parseMetrics.js';
export { parseParams, selectParams } from './parseParams.js';
export { parseDvcConfig } from './parseDvcConfig.js';
export { storageUrl, pickRemote } from './storageUrl.js';
export { isExternal, isUrl } from './paths.js';
export { explainNoStorage } from './explainNoStorage.js';
export type { StorageEntry } from './explainNoStorage.js';
export { parsePlotData } from './parsePlotData.js';
export type { PlotDataOptions } from './parsePlotData.js';
export { checkText } from './checkText.js';
export { MAX_METADATA_FILE_BYTES, MAX_NESTING_DEPTH, MAX_PLOT_POINTS, MAX_YAML_ALIAS_COUNT } from './limits.js';
export type {
  ArtifactDeclaration,
  DvcConfig,
  DvcEntry,
  DvcFile,
  DvcLock,
  DvcLockStage,
  DvcRemote,
  DvcYaml,
  GtoAction,
  GtoTagName,
  KeyValue,
  Parsed,
  PlotDeclaration,
  Problem,
  ParamsReference,
  StageDefinition,
  StageOutput,
} from './types.js';
