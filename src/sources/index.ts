// The sources' public surface: the contract every Git host implements, the hosts, and the object cache under them.
export type {
  CommitInfo,
  FileContent,
  FileRequest,
  GitSource,
  RawTag,
  RepositoryInfo,
  RepositoryRefs,
  Signature,
  TagAuthor,
  TagToCreate,
} from './types.js';
export { LocalGitSource, type LocalGitSourceOptions } from './local/index.js';
export { decodeText } from './decodeText.js';
export type { ObjectCache } from './ObjectCache.js';
export { MemoryObjectCache, type MemoryObjectCacheOptions } from './MemoryObjectCache.js';
export { GitHubSource, createGitHubClient, type GitHubSourceOptions, type GitHubClientOptions } from './github/index.js';
export { GitLabSource, createGitLabClient, type GitLabSourceOptions, type GitLabClient, type GitLabClientOptions } from './gitlab/index.js';
