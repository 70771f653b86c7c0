// The GitLab source's public surface: the source, and the client `main.ts` builds for it.
export { GitLabSource, type GitLabSourceOptions } from './GitLabSource.js';
export { createGitLabClient, type GitLabClient, type GitLabClientOptions, type GitlabApi } from './createGitLabClient.js';
