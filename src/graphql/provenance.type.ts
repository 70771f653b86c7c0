import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Param, StorageLocation } from './common.type.js';

/*
 * Where a version's files are and how it was made: the model file, metrics/params/plots
 * files, plots, and the pipeline lineage. Leaf fields only; fields that need the store
 * (the repository an import points at, versions with the same content) are field
 * resolvers in provenance.resolver.ts.
 */

export enum DataFileLocation {
  GIT = 'git',
  DVC = 'dvc',
  MISSING = 'missing',
  UNREADABLE = 'unreadable',
}
registerEnumType(DataFileLocation, {
  name: 'DataFileLocation',
  description: 'Where a file a version refers to is.',
  valuesConfig: {
    GIT: { description: 'In Git at the version commit, and read.' },
    DVC: { description: 'Not in Git: a DVC-tracked output (or inside one), kept in DVC storage.' },
    MISSING: { description: 'Declared, but neither in Git nor a DVC output at the commit.' },
    UNREADABLE: { description: 'In Git but could not be read or parsed; `message` says why.' },
  },
});

export enum LineageSourceKind {
  DVC = 'dvc',
  IMPORT = 'import',
  IMPORT_URL = 'import-url',
  URL = 'url',
  GIT = 'git',
  UNTRACKED = 'untracked',
}
registerEnumType(LineageSourceKind, {
  name: 'LineageSourceKind',
  description: 'Where a pipeline input that no stage produces comes from.',
  valuesConfig: {
    DVC: { description: 'Tracked by a `.dvc` file (`dvc add`).' },
    IMPORT: { description: '`dvc import` of a file of another Git repository.' },
    IMPORT_URL: { description: '`dvc import-url` of an external URL.' },
    URL: { description: 'An external dependency named by URL in `dvc.lock`.' },
    GIT: { description: 'A file (or directory) in Git.' },
    UNTRACKED: { description: 'Neither in Git nor tracked by DVC at the commit.' },
  },
});

@ObjectType({ description: 'A `dvc import`: a file of another Git repository, pinned to a commit.' })
export class DvcImport {
  @Field(() => String, { description: '`repo.url` as written in the `.dvc` file (https, ssh or a local path).' }) url!: string;
  @Field(() => String, { description: 'Path of the file inside the source repository.' }) path!: string;
  @Field(() => String, { nullable: true, description: 'The revision asked for with `--rev`, if any.' }) rev?: string;
  @Field(() => String, { nullable: true, description: 'The commit the import is pinned to (`rev_lock`).' }) revLock?: string;
  @Field(() => String, { nullable: true, description: 'md5 of the imported file, as the `.dvc` file records it.' }) md5?: string;
}

@ObjectType({ description: "A version's model file: its path, DVC hash and storage location." })
export class ArtifactFile {
  @Field(() => String, { description: 'Path from the repository root, or a URL when the declaration gives one.' }) path!: string;
  @Field(() => String, { nullable: true, description: 'DVC md5 (`….dir` for directories). Equal md5s mean identical content.' }) md5?: string;
  @Field(() => Float, { nullable: true, description: 'Size in bytes (total for directories).' }) size?: number;
  @Field(() => Float, { nullable: true, description: 'Number of files, for directories.' }) nfiles?: number;
  @Field(() => StorageLocation, { nullable: true, description: 'Where DVC keeps the file; null when it is in Git or has no remote (see `storageMessage`).' })
  storage?: StorageLocation;
  @Field(() => String, { nullable: true, description: 'Why `storage` is null for a DVC-tracked file: no remote configured, `push: false`, an undefined remote, …' })
  storageMessage?: string;
  @Field(() => String, { description: 'How the location was found: `dvc.lock`, `.dvc`, `git`, `url` or `unknown`.' }) trackedBy!: string;
}

@ObjectType({ description: 'A file a version refers to (metrics, params, plot data) and where it is.' })
export class DataFile {
  @Field(() => String, { description: 'Path from the repository root.' }) path!: string;
  @Field(() => DataFileLocation) location!: DataFileLocation;
  @Field(() => String, { nullable: true, description: 'DVC md5 of the output holding the file (of its directory, when it lies inside one).' }) md5?: string;
  @Field(() => StorageLocation, { nullable: true, description: 'Where DVC keeps it, for files that are not in Git.' }) storage?: StorageLocation;
  @Field(() => String, { nullable: true, description: 'What is wrong, or where the file is instead of Git, in words.' }) message?: string;
}

@ObjectType({ description: "A plot's data file, with its data points when the file is in Git." })
export class PlotData extends DataFile {
  @Field(() => [GraphQLJSON], { nullable: true, description: 'Data points (one object per row), when the file is in Git and parsed.' })
  rows?: Record<string, unknown>[];
}

@ObjectType({ description: 'A plot declared in `dvc.yaml` (top-level `plots:` or a stage plot output).' })
export class Plot {
  @Field(() => String, { description: 'Plot id: the top-level key, or the output path.' }) id!: string;
  @Field(() => String, { description: 'The `dvc.yaml` that declares it.' }) file!: string;
  @Field(() => String, { nullable: true }) title?: string;
  @Field(() => String, { nullable: true, description: 'DVC template (`linear`, `confusion`, …).' }) template?: string;
  @Field(() => String, { nullable: true, description: 'Field on the x axis.' }) x?: string;
  @Field(() => [String], { description: 'Fields on the y axis.' }) y!: string[];
  @Field(() => String, { nullable: true }) xLabel?: string;
  @Field(() => String, { nullable: true }) yLabel?: string;
  @Field(() => [PlotData]) data!: PlotData[];
}

@ObjectType({ description: 'A param of a version: the value in its file and what `dvc.lock` recorded when the stage last ran.' })
export class VersionParam {
  @Field(() => String, { description: 'Params file from the repository root.' }) path!: string;
  @Field(() => String, { description: 'Dotted key, e.g. `train.n_est`.' }) key!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value in the params file at the commit (the recorded value when the file is not in Git).' })
  value?: unknown;
  @Field(() => String, { description: '`file` or `dvc.lock`: where `value` comes from.' }) source!: string;
  @Field(() => Boolean, { description: '`dvc.lock` records a value for this key.' }) locked!: boolean;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value `dvc.lock` recorded, if any.' }) lockedValue?: unknown;
}

@ObjectType({ description: 'Where a pipeline input that no stage produces comes from.' })
export class LineageSource {
  @Field(() => String, { description: 'The input, from the repository root (or its URL).' }) path!: string;
  @Field(() => LineageSourceKind) kind!: LineageSourceKind;
  @Field(() => String, { nullable: true, description: 'The `.dvc` file that tracks it.' }) file?: string;
  @Field(() => String, { nullable: true, description: 'The md5 that `.dvc` file records now.' }) md5?: string;
  @Field(() => String, { nullable: true, description: 'The external URL, for `import-url` and `url` inputs.' }) url?: string;
  @Field(() => DvcImport, { nullable: true, description: 'The repository, commit and path of a `dvc import`.' }) import?: DvcImport;
  @Field(() => StorageLocation, { nullable: true }) storage?: StorageLocation;
}

@ObjectType({ description: 'A file a pipeline stage used or produced, with its DVC hash.' })
export class LineageFile {
  @Field(() => String) path!: string;
  @Field(() => String, { nullable: true }) md5?: string;
  @Field(() => Float, { nullable: true }) size?: number;
  @Field(() => Float, { nullable: true }) nfiles?: number;
  @Field(() => String, { nullable: true, description: 'The stage producing this input, `<dvc.lock path>:<stage>`; null for sources.' }) producedBy?: string;
  @Field(() => LineageSource, { nullable: true, description: 'Where a source input comes from.' }) source?: LineageSource;
  @Field(() => Boolean, {
    description: 'The md5 recorded here differs from what its producer (or `.dvc` file) records now: the stage ran on an older input (`dvc status` would say changed).',
  })
  stale!: boolean;
}

@ObjectType({ description: 'A file a pipeline stage produced, with its DVC hash.' })
export class LineageOutput {
  @Field(() => String) path!: string;
  @Field(() => String, { nullable: true }) md5?: string;
  @Field(() => Float, { nullable: true }) size?: number;
  @Field(() => Float, { nullable: true }) nfiles?: number;
}

@ObjectType({ description: 'A `dvc.lock` stage: command, inputs with their hashes, params, outputs.' })
export class LineageStage {
  @Field(() => String, { description: 'The dvc.lock that records the stage.' }) lockFile!: string;
  @Field(() => String) stage!: string;
  @Field(() => String, { nullable: true }) cmd?: string;
  @Field(() => [LineageFile]) deps!: LineageFile[];
  @Field(() => [Param], { description: 'Params as dvc.lock recorded them.' }) params!: Param[];
  @Field(() => [LineageOutput]) outs!: LineageOutput[];
}

@ObjectType({ description: 'How a version was made: the dvc.lock stage that produced its file, and everything upstream of it.' })
export class Lineage extends LineageStage {
  @Field(() => [LineageStage], { description: 'Upstream stages, nearest first, each once (across every dvc.lock of the commit).' }) upstream!: LineageStage[];
  @Field(() => [LineageSource], { description: 'Inputs no stage produces, over the whole pipeline, by path.' }) sources!: LineageSource[];
  @Field(() => Boolean, { description: 'Some input, here or upstream, is stale.' }) stale!: boolean;
  @Field(() => Boolean, { description: 'The pipeline has more than 1,000 stages; `upstream` stops there.' }) truncated!: boolean;
}
