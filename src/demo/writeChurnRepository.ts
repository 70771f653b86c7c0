import { DEMO_PEOPLE } from './demoPeople.js';
import { dvcYaml } from './dvcYaml.js';
import { lockEntry } from './lockEntry.js';
import { RepoWriter, type GitIdentity } from './repoWriter.js';
import { CHURN_MODEL_ORIGIN, pinnedModel, type PinnedModel } from './writeServingRepository.js';

const { maya, daniel, priya, sam, ciBot } = DEMO_PEOPLE;

interface Params {
  prepare: { split: number; seed: number };
  featurize: { tenure_buckets: number[]; drop_columns: string[] };
  train: Record<string, string | number>;
}

interface Metrics {
  auc: number;
  precision: number;
  recall: number;
  roc_auc: { train: number; test: number };
}

interface TagSpec {
  name: string;
  date: string;
  tagger: GitIdentity;
  message: string;
  /** Annotated unless false (`v0.1` is a lightweight tag, which GTO ignores). */
  annotated?: boolean;
}

/** One commit of the churn project: its pipeline state, and the tags put on it. */
interface Release {
  message: string;
  date: string;
  author: GitIdentity;
  /** Which dataset snapshot `data/raw.csv.dvc` points at. */
  dataset: { seed: string; size: number };
  params: Params;
  scripts: { featurize: 1 | 2 | 3; train: 1 | 2 | 3 };
  metrics: Metrics;
  /** Whether `dvc.yaml` declares the `churn` artifact yet. */
  artifact: boolean;
  /** Extra files for this commit (README changes and the like). */
  extra?: Record<string, string>;
  tags: TagSpec[];
}

const README = `# Customer churn model

Predicts which subscription customers are likely to cancel in the next 60 days.
Scores feed the retention team's weekly outreach list.

## Reproduce

\`\`\`console
$ pip install -r requirements.txt
$ dvc pull
$ dvc repro
\`\`\`

## Registry

Versions and stages are managed with [GTO](https://github.com/iterative/gto) tags:
\`churn@vX.Y.Z\` registers a version, \`churn#prod#N\` promotes it.
`;

const MODEL_CARD = `
## Model card

- **Inputs:** customer tenure, plan, billing history, product usage (no support-call data since v1.2.0).
- **Output:** churn probability, calibrated (isotonic) since v2.0.0.
- **Owner:** retention-ml@acme.io
- **Known limits:** customers with less than 30 days of history get the population prior.
`;

const PREPARE_PY = `"""Split the raw customer table into train and test sets."""
import sys
from pathlib import Path

import pandas as pd
import yaml
from sklearn.model_selection import train_test_split

params = yaml.safe_load(open("params.yaml"))["prepare"]

raw = pd.read_csv(sys.argv[1], parse_dates=["signup_date"])
raw = raw.drop_duplicates(subset="customer_id")
train, test = train_test_split(
    raw, test_size=params["split"], random_state=params["seed"], stratify=raw["churned"]
)

out = Path("data/prepared")
out.mkdir(parents=True, exist_ok=True)
train.to_parquet(out / "train.parquet")
test.to_parquet(out / "test.parquet")
`;

function featurizePy(revision: 1 | 2 | 3): string {
  const buckets =
    revision >= 2
      ? `
    # Tenure in months, bucketed: churn risk is highest in the first year.
    df["tenure_bucket"] = pd.cut(df["tenure_months"], bins=params["tenure_buckets"] + [float("inf")], labels=False)
`
      : '';
  const supportCalls =
    revision === 2
      ? `    df["support_calls_last_30d"] = df["support_calls"].rolling(30, min_periods=1).sum()
`
      : '';
  return `"""Turn prepared customer rows into model features."""
import sys
from pathlib import Path

import pandas as pd
import yaml

params = yaml.safe_load(open("params.yaml"))["featurize"]


def featurize(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=params["drop_columns"], errors="ignore")
    df["monthly_spend"] = df["total_billed"] / df["tenure_months"].clip(lower=1)
    df["is_annual_plan"] = (df["plan"] == "annual").astype(int)
${buckets}${supportCalls}    return pd.get_dummies(df, columns=["plan", "region"])


src, dst = Path(sys.argv[1]), Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
for split in ("train", "test"):
    featurize(pd.read_parquet(src / f"{split}.parquet")).to_parquet(dst / f"{split}.parquet")
`;
}

function trainPy(revision: 1 | 2 | 3): string {
  const model =
    revision === 1
      ? `from sklearn.ensemble import GradientBoostingClassifier

model = GradientBoostingClassifier(
    n_estimators=params["n_estimators"],
    learning_rate=params["learning_rate"],
    max_depth=params["max_depth"],
    random_state=params["seed"],
)`
      : `import lightgbm as lgb

model = lgb.LGBMClassifier(
    n_estimators=params["n_estimators"],
    learning_rate=params["learning_rate"],
    num_leaves=params["num_leaves"],
    random_state=params["seed"],
)`;
  const calibrate =
    revision === 3
      ? `
from sklearn.calibration import CalibratedClassifierCV

model = CalibratedClassifierCV(model, method=params["calibration"], cv=5)
`
      : '';
  return `"""Train the churn classifier."""
import pickle
import sys
from pathlib import Path

import pandas as pd
import yaml

params = yaml.safe_load(open("params.yaml"))["train"]
features = pd.read_parquet(Path(sys.argv[1]) / "train.parquet")
X, y = features.drop(columns=["churned"]), features["churned"]

${model}
${calibrate}
model.fit(X, y)
Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
with open(sys.argv[2], "wb") as fd:
    pickle.dump(model, fd)
`;
}

const EVALUATE_PY = `"""Score the model on the held-out split and write metrics and the ROC curve."""
import json
import pickle
import sys
from pathlib import Path

import pandas as pd
from sklearn import metrics

with open(sys.argv[1], "rb") as fd:
    model = pickle.load(fd)

scores = {}
for split in ("train", "test"):
    df = pd.read_parquet(Path(sys.argv[2]) / f"{split}.parquet")
    X, y = df.drop(columns=["churned"]), df["churned"]
    proba = model.predict_proba(X)[:, 1]
    scores[split] = metrics.roc_auc_score(y, proba)
    if split == "test":
        predicted = proba >= 0.5
        precision = metrics.precision_score(y, predicted)
        recall = metrics.recall_score(y, predicted)
        fpr, tpr, _ = metrics.roc_curve(y, proba)

Path("eval/plots").mkdir(parents=True, exist_ok=True)
json.dump(
    {"auc": scores["test"], "precision": precision, "recall": recall, "roc_auc": scores},
    open("eval/metrics.json", "w"),
    indent=2,
)
json.dump({"roc": [{"fpr": f, "tpr": t} for f, t in zip(fpr, tpr)]}, open("eval/plots/roc.json", "w"), indent=2)
`;

const DVC_CONFIG = `[core]
    remote = storage
['remote "storage"']
    url = s3://acme-ml-models/churn
`;

const ARTIFACT = {
  churn: {
    path: 'models/churn.pkl',
    type: 'model',
    desc: 'Churn classifier for subscription customers (probability of cancelling within 60 days)',
    labels: ['tabular', 'churn'],
  },
};

function dvcYamlFile(withArtifact: boolean): string {
  return dvcYaml({
    stages: {
      prepare: {
        cmd: 'python src/prepare.py data/raw.csv',
        deps: ['data/raw.csv', 'src/prepare.py'],
        params: ['prepare.seed', 'prepare.split'],
        outs: ['data/prepared'],
      },
      featurize: {
        cmd: 'python src/featurize.py data/prepared data/features',
        deps: ['data/prepared', 'src/featurize.py'],
        params: ['featurize.tenure_buckets', 'featurize.drop_columns'],
        outs: ['data/features'],
      },
      train: {
        cmd: 'python src/train.py data/features models/churn.pkl',
        deps: ['data/features', 'src/train.py'],
        params: ['train'],
        outs: ['models/churn.pkl'],
      },
      evaluate: {
        cmd: 'python src/evaluate.py models/churn.pkl data/features',
        deps: ['data/features', 'models/churn.pkl', 'src/evaluate.py'],
        metrics: [{ 'eval/metrics.json': { cache: false } }],
        plots: [{ 'eval/plots/roc.json': { cache: false, x: 'fpr', y: 'tpr' } }],
      },
    },
    plots: [{ ROC: { template: 'simple', x: 'fpr', y: { 'eval/plots/roc.json': 'tpr' }, title: 'ROC curve (test split)' } }],
    ...(withArtifact ? { artifacts: ARTIFACT } : {}),
  });
}

/** A plausible ROC curve for an AUC: tpr = fpr^k with k = 1/auc - 1. */
function rocJson(auc: number): string {
  const k = 1 / auc - 1;
  const roc = Array.from({ length: 11 }, (_, i) => {
    const fpr = i / 10;
    return { fpr, tpr: Number((fpr === 0 ? 0 : fpr ** k).toFixed(4)) };
  });
  return `${JSON.stringify({ roc }, null, 2)}\n`;
}

function files(release: Release): Record<string, string> {
  const featurize = featurizePy(release.scripts.featurize);
  const train = trainPy(release.scripts.train);
  const metrics = `${JSON.stringify(release.metrics, null, 2)}\n`;
  const roc = rocJson(release.metrics.auc);
  const { params } = release;

  const raw = lockEntry('data/raw.csv', release.dataset);
  const prepared = lockEntry('data/prepared', { seed: `${raw.md5}:${JSON.stringify(params.prepare)}`, size: 31_200_000, nfiles: 2 });
  const features = lockEntry('data/features', {
    seed: `${prepared.md5}:${JSON.stringify(params.featurize)}:${featurize}`,
    size: 18_400_000,
    nfiles: 2,
  });
  const model = lockEntry('models/churn.pkl', {
    seed: `${features.md5}:${JSON.stringify(params.train)}:${train}`,
    size: release.scripts.train === 1 ? 1_180_000 : 3_420_000,
  });
  const lock = {
    schema: '2.0',
    stages: {
      prepare: {
        cmd: 'python src/prepare.py data/raw.csv',
        deps: [raw, lockEntry('src/prepare.py', { content: PREPARE_PY })],
        params: { 'params.yaml': { 'prepare.seed': params.prepare.seed, 'prepare.split': params.prepare.split } },
        outs: [prepared],
      },
      featurize: {
        cmd: 'python src/featurize.py data/prepared data/features',
        deps: [prepared, lockEntry('src/featurize.py', { content: featurize })],
        params: {
          'params.yaml': {
            'featurize.drop_columns': params.featurize.drop_columns,
            'featurize.tenure_buckets': params.featurize.tenure_buckets,
          },
        },
        outs: [features],
      },
      train: {
        cmd: 'python src/train.py data/features models/churn.pkl',
        deps: [features, lockEntry('src/train.py', { content: train })],
        params: { 'params.yaml': { train: params.train } },
        outs: [model],
      },
      evaluate: {
        cmd: 'python src/evaluate.py models/churn.pkl data/features',
        deps: [features, model, lockEntry('src/evaluate.py', { content: EVALUATE_PY })],
        outs: [lockEntry('eval/metrics.json', { content: metrics }), lockEntry('eval/plots/roc.json', { content: roc })],
      },
    },
  };
  return {
    'params.yaml': dvcYaml(params),
    'dvc.yaml': dvcYamlFile(release.artifact),
    'dvc.lock': dvcYaml(lock),
    'data/raw.csv.dvc': rawCsvDvc(release.dataset),
    'src/featurize.py': featurize,
    'src/train.py': train,
    'eval/metrics.json': metrics,
    'eval/plots/roc.json': roc,
    ...release.extra,
  };
}

const BASE_PARAMS: Params = {
  prepare: { split: 0.2, seed: 20250301 },
  featurize: { tenure_buckets: [], drop_columns: ['customer_id', 'email', 'phone'] },
  train: { model: 'gradient_boosting', n_estimators: 100, learning_rate: 0.1, max_depth: 3, seed: 42 },
};
const BUCKETS = [0, 3, 6, 12, 24, 48];
const DATA_2025_03 = { seed: 'customers-2025-03', size: 48_213_377 };
const DATA_2025_11 = { seed: 'customers-2025-11', size: 61_907_554 };
const GBM_V1 = { model: 'gradient_boosting', n_estimators: 200, learning_rate: 0.05, max_depth: 4, seed: 42 };
const LGBM = { model: 'lightgbm', n_estimators: 500, learning_rate: 0.03, num_leaves: 31, seed: 42 };

const RELEASES: Release[] = [
  {
    message: 'Add churn pipeline: prepare, featurize, train, evaluate',
    date: '2025-03-10T16:40:00+01:00',
    author: maya,
    dataset: DATA_2025_03,
    params: BASE_PARAMS,
    scripts: { featurize: 1, train: 1 },
    metrics: { auc: 0.781, precision: 0.642, recall: 0.518, roc_auc: { train: 0.834, test: 0.781 } },
    artifact: false,
    tags: [{ name: 'v0.1', date: '2025-03-10T16:45:00+01:00', tagger: maya, message: '', annotated: false }],
  },
  {
    message: 'Declare churn model artifact; tune gradient boosting\n\nLower learning rate, more trees, depth 4.',
    date: '2025-04-02T11:05:00+02:00',
    author: maya,
    dataset: DATA_2025_03,
    params: { ...BASE_PARAMS, train: GBM_V1 },
    scripts: { featurize: 1, train: 1 },
    metrics: { auc: 0.823, precision: 0.688, recall: 0.571, roc_auc: { train: 0.871, test: 0.823 } },
    artifact: true,
    tags: [
      { name: 'churn@v1.0.0', date: '2025-04-02T11:20:00+02:00', tagger: maya, message: 'Registering artifact churn version v1.0.0' },
      { name: 'churn#staging#1', date: '2025-04-03T09:00:00+02:00', tagger: ciBot, message: 'Assigning stage staging to artifact churn version v1.0.0' },
      {
        name: 'churn#prod#2',
        date: '2025-04-08T15:30:00+01:00',
        tagger: daniel,
        message: 'Promote churn v1.0.0 to prod\n\nShadow run on the April cohort: AUC 0.82, no drift alerts.\nApproved in CAB-114.',
      },
    ],
  },
  {
    message: 'Add tenure buckets to featurization',
    date: '2025-06-17T18:00:00+05:30',
    author: priya,
    dataset: DATA_2025_03,
    params: { ...BASE_PARAMS, featurize: { ...BASE_PARAMS.featurize, tenure_buckets: BUCKETS }, train: GBM_V1 },
    scripts: { featurize: 2, train: 1 },
    metrics: { auc: 0.841, precision: 0.702, recall: 0.603, roc_auc: { train: 0.884, test: 0.841 } },
    artifact: true,
    tags: [
      { name: 'churn@v1.1.0', date: '2025-06-17T18:20:00+05:30', tagger: priya, message: 'Registering artifact churn version v1.1.0' },
      { name: 'churn#staging#3', date: '2025-06-18T10:00:00+02:00', tagger: ciBot, message: 'Assigning stage staging to artifact churn version v1.1.0' },
    ],
  },
  {
    message: 'Add support-call features; 300 trees',
    date: '2025-08-05T10:00:00+02:00',
    author: maya,
    dataset: DATA_2025_03,
    params: {
      ...BASE_PARAMS,
      featurize: { ...BASE_PARAMS.featurize, tenure_buckets: BUCKETS },
      train: { ...GBM_V1, n_estimators: 300 },
    },
    scripts: { featurize: 2, train: 1 },
    metrics: { auc: 0.912, precision: 0.801, recall: 0.744, roc_auc: { train: 0.958, test: 0.912 } },
    artifact: true,
    tags: [
      { name: 'churn@v1.2.0', date: '2025-08-05T10:30:00+02:00', tagger: maya, message: 'Registering artifact churn version v1.2.0' },
      {
        name: 'churn@v1.2.0!',
        date: '2025-08-07T16:45:00+01:00',
        tagger: daniel,
        message: 'Deregister churn v1.2.0\n\nsupport_calls_last_30d is computed after the cancellation call,\nso it leaks the label. See incident INC-2291.',
      },
    ],
  },
  {
    message: 'Drop the leaking support-call feature and retrain',
    date: '2025-10-20T11:00:00-04:00',
    author: sam,
    dataset: DATA_2025_03,
    params: {
      ...BASE_PARAMS,
      featurize: { tenure_buckets: BUCKETS, drop_columns: [...BASE_PARAMS.featurize.drop_columns, 'support_calls'] },
      train: { ...GBM_V1, n_estimators: 300 },
    },
    scripts: { featurize: 3, train: 1 },
    metrics: { auc: 0.846, precision: 0.709, recall: 0.611, roc_auc: { train: 0.889, test: 0.846 } },
    artifact: true,
    tags: [
      {
        name: 'release-2025-q4',
        date: '2025-10-31T17:00:00-04:00',
        tagger: sam,
        message: 'Q4 2025 release of the churn pipeline\n\nIncludes the leakage fix from INC-2291.',
      },
    ],
  },
  {
    message: 'Switch to LightGBM and retrain on data through November 2025',
    date: '2025-12-01T09:30:00-05:00',
    author: sam,
    dataset: DATA_2025_11,
    params: {
      ...BASE_PARAMS,
      featurize: { tenure_buckets: BUCKETS, drop_columns: [...BASE_PARAMS.featurize.drop_columns, 'support_calls'] },
      train: LGBM,
    },
    scripts: { featurize: 3, train: 2 },
    metrics: { auc: 0.868, precision: 0.731, recall: 0.642, roc_auc: { train: 0.913, test: 0.868 } },
    artifact: true,
    tags: [{ name: 'churn@v2.0.0-rc.1', date: '2025-12-01T10:00:00-05:00', tagger: sam, message: 'Registering artifact churn version v2.0.0-rc.1' }],
  },
  {
    message: 'Calibrate churn probabilities with isotonic regression',
    date: '2026-01-14T13:45:00+05:30',
    author: priya,
    dataset: DATA_2025_11,
    params: {
      ...BASE_PARAMS,
      featurize: { tenure_buckets: BUCKETS, drop_columns: [...BASE_PARAMS.featurize.drop_columns, 'support_calls'] },
      train: { ...LGBM, calibration: 'isotonic' },
    },
    scripts: { featurize: 3, train: 3 },
    metrics: { auc: 0.871, precision: 0.744, recall: 0.652, roc_auc: { train: 0.909, test: 0.871 } },
    artifact: true,
    tags: [
      { name: 'churn@v2.0.0', date: '2026-01-14T14:00:00+05:30', tagger: priya, message: 'Registering artifact churn version v2.0.0' },
      { name: 'churn#staging#5', date: '2026-01-15T09:10:00+01:00', tagger: ciBot, message: 'Assigning stage staging to artifact churn version v2.0.0' },
      {
        name: 'churn#prod#6',
        date: '2026-01-20T16:00:00+00:00',
        tagger: daniel,
        message: 'Promote churn v2.0.0 to prod\n\nCalibrated scores; the retention team switches its threshold to 0.35.',
      },
    ],
  },
];

/**
 * Writes `acme/churn-model`: a work-tree repository with a four-stage pipeline in the root
 * `dvc.yaml`, the `churn` artifact and a year of GTO history (registrations, stage
 * promotions, a deregistration, a release candidate, non-GTO tags). Resolves with the commit
 * and model file of `churn@v2.0.0`, which acme/churn-serving imports.
 */
export async function writeChurnRepository(dir: string): Promise<PinnedModel> {
  const writer = await RepoWriter.init(dir, { identity: maya });
  // A clone of GitHub's acme/churn-model: DVC imports of that URL resolve to this repository.
  await writer.addRemote('origin', CHURN_MODEL_ORIGIN);
  await writer.write({
    'README.md': README,
    '.gitignore': '/venv\n__pycache__/\n*.pyc\n.ipynb_checkpoints/\n',
    '.dvcignore': '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n',
    '.dvc/config': DVC_CONFIG,
    '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
    'data/.gitignore': '/raw.csv\n',
    'data/raw.csv.dvc': rawCsvDvc(DATA_2025_03),
    'requirements.txt': 'dvc[s3]==3.59.1\ngto==1.7.2\npandas==2.2.3\npyarrow==19.0.1\nscikit-learn==1.6.1\nlightgbm==4.6.0\nPyYAML==6.0.2\n',
  });
  await writer.commit('Initialize DVC and track the raw customer table', { date: '2025-03-03T09:12:00+01:00', author: maya });

  for (const [index, release] of RELEASES.entries()) {
    await writer.write({
      ...files(release),
      ...(index === 0
        ? {
            'src/prepare.py': PREPARE_PY,
            'src/evaluate.py': EVALUATE_PY,
            'data/.gitignore': '/raw.csv\n/prepared\n/features\n',
            'models/.gitignore': '/churn.pkl\n',
          }
        : {}),
    });
    await writer.commit(release.message, { date: release.date, author: release.author });
    for (const tag of release.tags) {
      if (tag.annotated === false) await writer.lightweightTag(tag.name);
      else await writer.tag(tag.name, { message: tag.message, date: tag.date, tagger: tag.tagger });
    }
  }

  await writer.write({ 'README.md': README + MODEL_CARD });
  await writer.commit('Add a model card to the README', { date: '2026-02-03T10:00:00+01:00', author: maya });
  return pinnedModel(writer, 'churn@v2.0.0');
}

/** `data/raw.csv.dvc` as `dvc add` writes it (md5 and size first, then hash and path). */
function rawCsvDvc(dataset: { seed: string; size: number }): string {
  // Same digest as the lock's `data/raw.csv` dependency: the seed is keyed by that path.
  const { md5, size } = lockEntry('data/raw.csv', dataset);
  return dvcYaml({ outs: [{ md5, size, hash: 'md5', path: 'raw.csv' }] });
}
