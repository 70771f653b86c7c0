// The local source's public surface.
export { LocalGitSource, type LocalGitSourceOptions } from './LocalGitSource.js';
