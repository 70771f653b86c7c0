/**
 * Valid inputs shared by the parser tests (the examples the table tests read, and the seeds
 * the property tests mutate). Real files, trimmed; each says where it comes from.
 */
/** iterative/example-get-started, as of DVC 3 (stages, top-level metrics/plots, an artifact). */
export const GET_STARTED = `stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - data/data.xml
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps:
    - data/prepared
    - src/featurization.py
    params:
    - featurize.max_features
    - featurize.ngrams
    outs:
    - data/features
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
    - data/features
    - src/train.py
    params:
    - train.seed
    - train.n_est
    - train.min_split
    outs:
    - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps:
    - data/features
    - model.pkl
    - src/evaluate.py
    outs:
    - eval
metrics:
- eval/metrics.json
plots:
- ROC:
    template: simple
    x: fpr
    y:
      eval/plots/sklearn/roc/train.json: tpr
      eval/plots/sklearn/roc/test.json: tpr
- Confusion-Matrix:
    template: confusion
    x: actual
    y:
      eval/plots/sklearn/cm/train.json: predicted
      eval/plots/sklearn/cm/test.json: predicted
- eval/plots/images/importance.png
artifacts:
  text-classification:
    path: model.pkl
    desc: Detect sentiment from text
    type: model
    labels:
    - nlp
    - classification
`;

/** iterative/example-get-started's dvc.lock after DVC 3 (`hash: md5`), trimmed to two stages. */
export const LOCK_V3 = `schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - path: data/data.xml
      hash: md5
      md5: 22a1a2931c8370d3aeedd7183606fd7f
      size: 14445097
    - path: src/prepare.py
      hash: md5
      md5: f09ea0c15980b43010257ccb9f0055e2
      size: 1576
    params:
      params.yaml:
        prepare.seed: 20170428
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: 153aad06d376b6595932470e459ef42a.dir
      size: 8437363
      nfiles: 2
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
    - path: data/features
      hash: md5
      md5: f35d4cc2c552ac959ae602162b8543f3.dir
      size: 2232588
      nfiles: 2
    params:
      params.yaml:
        train:
          min_split: 0.01
          n_est: 50
          seed: 20170428
    outs:
    - path: model.pkl
      hash: md5
      md5: 46865edbf3d62fc5c039dd9d2b0567a4
      size: 1763725
`;

/** The same shape as DVC 2.x wrote it: no `hash: md5` (legacy md5-dos2unix entries). */
export const LOCK_V2 = `schema: '2.0'
stages:
  train:
    cmd: python train.py
    deps:
    - path: data/features
      md5: f35d4cc2c552ac959ae602162b8543f3.dir
      size: 2232588
      nfiles: 2
    outs:
    - path: model.pkl
      md5: d1f6e05547bb5cec7cc6c4b6f0c3e04a
      size: 1763725
`;

/** iterative/example-get-started params.yaml. */
export const PARAMS = `prepare:
  split: 0.20
  seed: 20170428

featurize:
  max_features: 200
  ngrams: 2

train:
  seed: 20170428
  n_est: 50
  min_split: 0.01
  layers: [64, 32]
  scheduler: null
`;

/** `dvc add` of a directory (a DVC 3 entry with a `.dir` manifest). */
export const DVC_ADD = `outs:
- md5: 14d187e749ee5614e105741c719fa185.dir
  size: 18999874
  nfiles: 183
  hash: md5
  path: pool_data
`;

/** iterative/example-get-started `data/data.xml.dvc`: a `dvc import` with its pinned source. */
export const DVC_IMPORT = `md5: f5ea021eddd7b1df6de80b904cba1da6
frozen: true
deps:
- path: get-started/data.xml
  repo:
    url: https://github.com/iterative/dataset-registry
    rev_lock: f59388cd04276e75d70b2136597aaa27e7937cc3
outs:
- md5: 22a1a2931c8370d3aeedd7183606fd7f
  size: 14445097
  hash: md5
  path: data.xml
`;

/** A `.dvc/config` with a default remote in configobj's quoted form and a second, version-aware one. */
export const DVC_CONFIG = `[core]
    remote = storage
    autostage = true
['remote "storage"']
    url = https://remote.dvc.org/get-started
[remote "Models"]
    url = s3://acme-models/registry
    version_aware = true
`;

/** iterative/example-get-started `eval/metrics.json`. */
export const METRICS_JSON = `{"avg_prec": {"train": 0.9743681430252835, "test": 0.9249974999612706}, "roc_auc": {"train": 0.9866678562450621, "test": 0.9460213440787918}}`;

/** A DVCLive `metrics.yaml`-style file. */
export const METRICS_YAML = `acc: 0.9
step: 12
best: true
model: cnn
history: [0.1, 0.2]
`;

/** Params in TOML. */
export const PARAMS_TOML = `[train]
lr = 0.001
layers = [64, 32]

[prepare]
split = 0.2
`;

/** DVCLive `dvclive/plots/metrics/train/loss.tsv`. */
export const LOSS_TSV = `step\tloss
0\t0.6931
1\t0.5123
2\t0.4410
3\t0.3977
`;

/** example-get-started `eval/plots/sklearn/roc/train.json` (trimmed): points under one key. */
export const ROC_JSON = `{
  "roc": [
    {"fpr": 0.0, "tpr": 0.0, "threshold": 2.0},
    {"fpr": 0.0, "tpr": 0.0178, "threshold": 1.0},
    {"fpr": 0.0081, "tpr": 0.3927, "threshold": 0.72},
    {"fpr": 1.0, "tpr": 1.0, "threshold": 0.0}
  ]
}
`;

/** A precision-recall curve as `sklearn` users write it with `csv.writer`. */
export const PRC_CSV = `precision,recall,threshold
0.5,1.0,0.01
0.66,0.8,0.3
1.0,0.2,0.9
`;

/**
 * A Python params file shaped like DVC's documentation example (`THRESHOLD`, `BOOL`,
 * `class TrainTestSplit`, `class Train`), with the `__init__` form DVC's own fixture
 * (`tests/unit/utils/serialize/fixtures/classy.py`) uses.
 */
export const PARAMS_PY = `import math  # imports are not parameters

THRESHOLD = 2500
BOOL = True


class TrainTestSplit:
    SEED = 20170428
    TARGET_METRIC = "roc_auc"


class Train:
    """Training hyperparameters."""

    seed = 123
    min_split: str
    optimizer: str = "Adam"
    layers = [64, 32]

    def __init__(self):
        self.seed = 20170428
        self.n_est = 100
        self.min_split = 64
        self.data = {"key1": "value1", "key2": "value2"}

    def lr(self):
        return math.exp(-3)


if __name__ == "__main__":
    print(Train().n_est)
`;
