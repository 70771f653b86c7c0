/**
 * What the parsers return. Parsers are pure: text in, values out. Bad content becomes a
 * `Problem` in the result, never an exception.
 */

/** Something wrong with one file; the indexer adds the repository (and commit). */
export interface Problem {
  /** Path of the file from the repository root (or the tag name for tag problems). */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
}

export interface Parsed<T> {
  value: T;
  problems: Problem[];
}

/** GTO actions, as in gto `Action`. */
export type GtoAction = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate';

/** A Git tag name understood as GTO understands it (research §2.1). */
export interface GtoTagName {
  /** The tag name itself. */
  tag: string;
  action: GtoAction;
  /** Full artifact name with `:` (`dir:name`, or `name` for the root `dvc.yaml`). */
  artifact: string;
  /** `v1.2.3` for register / deregister. */
  version?: string;
  /** Stage name for assign / unassign. */
  stage?: string;
  /** The `#N` counter, if any (never used for ordering). */
  counter?: number;
}

/** One entry of `artifacts:` in a `dvc.yaml`. */
export interface ArtifactDeclaration {
  /** Full GTO name: `name` in the root `dvc.yaml`, `dir/sub:name` in `dir/sub/dvc.yaml`. */
  fullName: string;
  /** The name as written under `artifacts:`. */
  name: string;
  /** Directory of the declaring `dvc.yaml` relative to the repository root (`''` for root). */
  dir: string;
  /** `path` as written (relative to `dir`, or a URL). */
  path: string;
  /** Path from the repository root (normalised, `..` resolved), or the URL itself when `path` is a URL. */
  repoPath: string;
  type?: string;
  description?: string;
  labels: string[];
  meta?: unknown;
}

/** An output of a stage in `dvc.yaml` (`outs`, `metrics`, `plots`). */
export interface StageOutput {
  /** Path from the repository root. */
  repoPath: string;
  kind: 'out' | 'metric' | 'plot';
  /** `cache: false` means the file is kept in Git. Defaults to true. */
  cache: boolean;
  remote?: string;
  push?: boolean;
}

/** A plot declaration (stage plot output or top-level `plots:` entry). */
export interface PlotDeclaration {
  /** Plot id (top-level key) or the output path. */
  id: string;
  /** Data files from the repository root (several when `y` maps files to fields). */
  files: string[];
  x?: string;
  y?: string[];
  template?: string;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Per data file (from the repository root), the fields the plot takes from it, when `x`/`y` name files. */
  fields?: Record<string, string[]>;
  /** `header: false` on a stage plot output: its CSV/TSV has no header row (pass it to `parsePlotData`). */
  header?: boolean;
}

/** A params reference from a stage or top-level `params:`. */
export interface ParamsReference {
  /** Params file from the repository root (default `params.yaml` in the dvc.yaml's dir, wdir-relative for stages). */
  file: string;
  /** Keys tracked; `undefined` means the whole file. */
  keys?: string[];
}

export interface StageDefinition {
  name: string;
  /** Working directory from the repository root. */
  wdir: string;
  cmd?: string | string[];
  deps: string[];
  params: ParamsReference[];
  outs: StageOutput[];
}

/** What Modelgate reads from one `dvc.yaml`. */
export interface DvcYaml {
  /** The file's path from the repository root. */
  file: string;
  /** Its directory (`''` for the root). */
  dir: string;
  artifacts: ArtifactDeclaration[];
  stages: StageDefinition[];
  /** Top-level `metrics:` files, from the repository root. */
  metrics: string[];
  /** Top-level `params:` files, from the repository root. */
  params: string[];
  plots: PlotDeclaration[];
}

/** An entry of `outs`/`deps` in `dvc.lock` or a `.dvc` file. */
export interface DvcEntry {
  /** Path from the repository root (joined with the stage wdir / the .dvc file's dir). URLs stay as they are. */
  repoPath: string;
  /** The path as written. */
  path: string;
  md5?: string;
  /** True when `hash: md5` is present (DVC 3 layout); false means legacy 2.x md5-dos2unix. */
  dvc3: boolean;
  size?: number;
  nfiles?: number;
  isDir: boolean;
  remote?: string;
  cache?: boolean;
  push?: boolean;
  /** For imports: the source repository and pinned commit. */
  repo?: { url: string; rev?: string; revLock?: string };
}

export interface DvcLockStage {
  name: string;
  cmd?: string | string[];
  deps: DvcEntry[];
  /**
   * params file (from the repository root) → dotted key → recorded value. Flattened as
   * `parseParams` does: a section recorded whole (`train: {n_est: 50}`) gives `train.n_est`;
   * lists and nulls are values; an empty section gives no key.
   */
  params: Record<string, Record<string, unknown>>;
  outs: DvcEntry[];
}

export interface DvcLock {
  file: string;
  dir: string;
  stages: DvcLockStage[];
}

/** A `.dvc` file (`dvc add`, `dvc import`, `dvc import-url`). */
export interface DvcFile {
  file: string;
  outs: DvcEntry[];
  deps: DvcEntry[];
  frozen: boolean;
  md5?: string;
}

/** A `key: value` from a metrics or params file, key dotted (`roc_auc.test`). */
export interface KeyValue {
  key: string;
  value: unknown;
}

export interface DvcRemote {
  /** Lower-cased, as DVC does. */
  name: string;
  /** As configured; a relative local path is resolved against `.dvc/` and returned repo-relative. */
  url: string;
  versionAware: boolean;
  worktree: boolean;
}

export interface DvcConfig {
  /** `core.remote`, lower-cased. */
  defaultRemote?: string;
  remotes: DvcRemote[];
}
