// The indexer's public surface: one repository, and the orchestrator over all sources.
export { indexRepository } from './indexRepository.js';
export type { IndexOutcome, IndexRepositoryInput } from './indexRepository.js';
export { Indexer } from './Indexer.js';
export { IndexJobs } from './IndexJobs.js';
export { SourceTagWriter } from './SourceTagWriter.js';
export type { SourceTagWriterOptions } from './SourceTagWriter.js';
export type { IndexJobsOptions, JobsStatus } from './IndexJobs.js';
export type { IndexSummary, IndexerOptions, LastPass, Listing, WorkItem } from './Indexer.js';
