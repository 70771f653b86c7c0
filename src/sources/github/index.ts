// The github source's public surface.
export { GitHubSource, type GitHubSourceOptions } from './GitHubSource.js';
export { createGitHubClient, type GitHubClientOptions } from './createGitHubClient.js';
