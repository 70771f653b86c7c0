// The sources' public surface: the contract every Git host implements, and the hosts.
export type {
  CommitInfo,
  FileContent,
  FileRequest,
  GitSource,
  RawTag,
  RepositoryInfo,
  RepositoryRefs,
  Signature,
} from './types.js';
export { LocalGitSource, type LocalGitSourceOptions } from './local/index.js';
export { decodeText } from './decodeText.js';
