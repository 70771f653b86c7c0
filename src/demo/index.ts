// The demo's public surface: the demo repositories, and the writer that builds Git repositories.
export { buildDemoRepositories, DEMO_VERSION } from './buildDemoRepositories.js';
export {
  RepoWriter,
  type CommitOptions,
  type GitIdentity,
  type MergeOptions,
  type RepoWriterInitOptions,
  type TagOptions,
} from './repoWriter.js';
