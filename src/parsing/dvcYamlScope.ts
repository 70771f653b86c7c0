import type { VarsFiles } from './varsFiles.js';

/** A step of a path into a YAML document: a mapping key or a list index. */
export type YamlPath = readonly (string | number)[];

/** What the `dvc.yaml` readers share: where the file is, its variables, where problems go. */
export interface DvcYamlScope {
  /** Directory of the `dvc.yaml` from the repository root (`''` for the root). */
  dir: string;
  /** `vars:` of the file (and its vars files), for `${…}` interpolation. */
  vars: Record<string, unknown>;
  /** The vars files the caller read, when it read them (see `varsFilesOf`); undefined means file vars are not resolved. */
  files?: VarsFiles;
  /** Records a problem at `where` (raw keys as written), prefixed with that location. */
  report(where: YamlPath, message: string): void;
}

/** `stages.train.outs[0]` for `['stages', 'train', 'outs', 0]`. */
export function formatYamlPath(where: YamlPath): string {
  return where.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}
