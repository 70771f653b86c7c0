/**
 * The bounds every parser keeps, so that a hostile or broken file costs a problem, not
 * minutes of CPU or a crashed process. Each is a plain number the indexer can show.
 */

/**
 * Metadata files (`dvc.yaml`, `dvc.lock`, `.dvc`, `.dvc/config`, params, metrics, plot
 * data) larger than this are refused unread. Real ones are kilobytes; the `yaml` parser
 * needs about a second per MiB (measured), so this bounds the time one file can take.
 * Sources may cap what they buffer separately (`LocalGitSource` `maxFileBytes`, 10 MiB by
 * default); a file between the two is read and then refused here with the same message.
 */
export const MAX_METADATA_FILE_BYTES = 1024 * 1024;

/**
 * Mappings and lists nested deeper than this are refused. No DVC file nests more than a
 * handful of levels; the `yaml` parser recurses and overflows Node's default stack at
 * roughly 780 levels of flow collections (measured), and DVC's own Python loaders stop at
 * the interpreter's recursion limit of 1000 well before that in practice.
 */
export const MAX_NESTING_DEPTH = 200;

/**
 * YAML alias expansions allowed per document (`yaml`'s `maxAliasCount`). A billion-laughs
 * document expands aliases exponentially; DVC files use a few anchors at most.
 */
export const MAX_YAML_ALIAS_COUNT = 1000;

/** Plot data files give at most this many points; the rest are dropped with a problem. */
export const MAX_PLOT_POINTS = 10_000;

/** `1 MiB` for a byte count that is a whole number of KiB or MiB, else `N bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
