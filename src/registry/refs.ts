import { InputError } from '../errors.js';

/**
 * Readable references (DESIGN.md, References):
 * repository `<source>:<path>`, model `<repository ref>:<full name>`,
 * version `<model ref>@v1.2.3`, stage `<model ref>#prod`.
 * Repository paths never contain `:`; artifact names never contain `@` or `#`.
 */

export interface ModelRefParts {
  repository: string;
  artifact: string;
}

export type VersionRefParts = ModelRefParts & ({ version: string; stage?: undefined } | { stage: string; version?: undefined });

export function modelRef(repository: string, artifact: string): string {
  return `${repository}:${artifact}`;
}

export function versionRef(model: string, version: string): string {
  return `${model}@${version}`;
}

/** Splits `<source>:<path>:<artifact>`; throws InputError with an example when malformed. */
export function parseModelRef(ref: string): ModelRefParts {
  const first = ref.indexOf(':');
  const second = first < 0 ? -1 : ref.indexOf(':', first + 1);
  if (first <= 0 || second < 0 || second === first + 1 || second === ref.length - 1) {
    throw new InputError(
      `"${ref}" is not a model ref: expected <source>:<repository path>:<artifact name>, e.g. "github:acme/churn:churn" or "local:acme/vision:detector:yolo".`,
    );
  }
  return { repository: ref.slice(0, second), artifact: ref.slice(second + 1) };
}

/** Splits `<model ref>@<version>` or `<model ref>#<stage>`. */
export function parseVersionRef(ref: string): VersionRefParts {
  const at = ref.lastIndexOf('@');
  const hash = ref.lastIndexOf('#');
  const cut = Math.max(at, hash);
  if (cut < 0 || cut === ref.length - 1) {
    throw new InputError(
      `"${ref}" is not a version ref: expected <model ref>@<version> or <model ref>#<stage>, e.g. "github:acme/churn:churn@v1.2.0" or "github:acme/churn:churn#prod".`,
    );
  }
  const model = parseModelRef(ref.slice(0, cut));
  const rest = ref.slice(cut + 1);
  return cut === at ? { ...model, version: rest } : { ...model, stage: rest };
}

/** Validates `<source>:<path>`. */
export function parseRepositoryRef(ref: string): { source: string; path: string } {
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1 || ref.indexOf(':', colon + 1) >= 0) {
    throw new InputError(`"${ref}" is not a repository ref: expected <source>:<path>, e.g. "github:acme/churn" or "local:example-gto".`);
  }
  return { source: ref.slice(0, colon), path: ref.slice(colon + 1) };
}
