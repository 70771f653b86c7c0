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
export { GitHubSource, createGitHubClient, type GitHubSourceOptions, type GitHubClientOptions } from './github/index.js';
export { GitLabSource, createGitLabClient, type GitLabSourceOptions, type GitLabClient, type GitLabClientOptions } from './gitlab/index.js';
