import { DEMO_PEOPLE } from './demoPeople.js';
import { dvcYaml } from './dvcYaml.js';
import { fakeDigest } from './fakeDigest.js';
import { lockEntry } from './lockEntry.js';
import { RepoWriter, type GitIdentity } from './repoWriter.js';

const { elena, kenji } = DEMO_PEOPLE;

interface TagSpec {
  name: string;
  date: string;
  tagger: GitIdentity;
  message: string;
}

interface Release {
  /** Which snapshot of the datasets repository the import is pinned to. */
  snapshot: { seed: string; size: number };
  params: { tokenize: { max_length: number; lowercase: boolean }; train: Record<string, number> };
  model: { encoder: { name: string; freeze_layers: number }; dropout: number; num_labels: number; class_weights: number[] };
  metrics: { test: { accuracy: number; macro_f1: number; loss: number }; validation: { accuracy: number; macro_f1: number } };
  perClass: Record<'negative' | 'neutral' | 'positive', { precision: number; recall: number; support: number }>;
  /** Lock entries written by DVC 2.x (no `hash: md5`, legacy remote layout). */
  legacyLock: boolean;
}

const README = `# Review sentiment

A DistilBERT model that labels product reviews as negative, neutral or positive.
Reviews come from [acme/datasets](https://github.com/acme/datasets) through \`dvc import\`.

\`\`\`console
$ dvc update data/reviews.csv.dvc   # newer review snapshot
$ dvc repro
$ dvc metrics show
\`\`\`
`;

const DVC_CONFIG = `[core]
    remote = research
['remote "research"']
    url = s3://acme-research-dvc/nlp-sentiment
['remote "backup"']
    url = azure://research-backup/nlp-sentiment
`;

const TOKENIZE_PY = `"""Tokenize reviews for DistilBERT and split train/validation/test."""
import yaml
from datasets import load_dataset
from transformers import AutoTokenizer

params = yaml.safe_load(open("params.yaml"))["tokenize"]
tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased", do_lower_case=params["lowercase"])
reviews = load_dataset("csv", data_files="data/reviews.csv")["train"].train_test_split(test_size=0.2, seed=7)
tokens = reviews.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=params["max_length"]), batched=True)
tokens.save_to_disk("data/tokens")
`;

const TRAIN_PY = `"""Fine-tune DistilBERT on the tokenized reviews."""
import json

import yaml
from datasets import load_from_disk
from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments

params = yaml.safe_load(open("params.yaml"))["train"]
config = json.load(open("configs/model.json"))
model = AutoModelForSequenceClassification.from_pretrained(
    config["encoder"]["name"], num_labels=config["num_labels"], hidden_dropout_prob=config["dropout"]
)
args = TrainingArguments(
    "models/checkpoints",
    num_train_epochs=params["epochs"],
    learning_rate=params["lr"],
    per_device_train_batch_size=params["batch_size"],
    seed=params["seed"],
)
Trainer(model=model, args=args, train_dataset=load_from_disk("data/tokens")["train"]).train()
model.save_pretrained("models/sentiment")
`;

const EVALUATE_PY = `"""Evaluate on the test split; overall metrics to TOML, per-class metrics to YAML."""
import tomli_w
import yaml
from acme_research.eval import evaluate

report = evaluate("models/sentiment", "data/tokens")
with open("eval/metrics.toml", "wb") as fd:
    tomli_w.dump({"test": report.overall("test"), "validation": report.overall("validation")}, fd)
yaml.safe_dump(report.per_class("test"), open("eval/per_class.yaml", "w"))
report.confusion("test").to_csv("eval/confusion.csv", index=False)
`;

function metricsToml(metrics: Release['metrics']): string {
  return [
    '[test]',
    `accuracy = ${metrics.test.accuracy}`,
    `macro_f1 = ${metrics.test.macro_f1}`,
    `loss = ${metrics.test.loss}`,
    '',
    '[validation]',
    `accuracy = ${metrics.validation.accuracy}`,
    `macro_f1 = ${metrics.validation.macro_f1}`,
    '',
  ].join('\n');
}

function confusionCsv(release: Release): string {
  const labels = ['negative', 'neutral', 'positive'] as const;
  const rows = ['actual,predicted,count'];
  for (const actual of labels) {
    const { recall, support } = release.perClass[actual];
    const hits = Math.round(recall * support);
    for (const predicted of labels) {
      const count = predicted === actual ? hits : Math.round((support - hits) / 2);
      rows.push(`${actual},${predicted},${count}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

const DVC_YAML = dvcYaml({
  stages: {
    tokenize: {
      cmd: 'python src/tokenize_reviews.py',
      deps: ['data/reviews.csv', 'src/tokenize_reviews.py'],
      params: ['tokenize'],
      outs: ['data/tokens'],
    },
    train: {
      cmd: 'python src/train.py',
      deps: ['data/tokens', 'src/train.py'],
      params: ['train.epochs', 'train.lr', 'train.batch_size', 'train.seed', { 'configs/model.json': ['encoder', 'dropout', 'class_weights'] }],
      outs: ['models/sentiment'],
    },
    evaluate: {
      cmd: 'python src/evaluate.py',
      deps: ['data/tokens', 'models/sentiment', 'src/evaluate.py'],
      metrics: [{ 'eval/metrics.toml': { cache: false } }, { 'eval/per_class.yaml': { cache: false } }],
      plots: [{ 'eval/confusion.csv': { cache: false, template: 'confusion', x: 'actual', y: 'predicted' } }],
    },
  },
  artifacts: {
    sentiment: {
      path: 'models/sentiment',
      type: 'model',
      desc: 'DistilBERT fine-tuned to label product reviews as negative, neutral or positive',
      labels: ['nlp', 'transformers', 'sentiment'],
      meta: { framework: 'pytorch', base_model: 'distilbert-base-uncased' },
    },
  },
});

function files(release: Release): Record<string, string> {
  const legacy = { legacy: release.legacyLock };
  const metrics = metricsToml(release.metrics);
  const perClass = dvcYaml(release.perClass);
  const confusion = confusionCsv(release);
  const modelJson = `${JSON.stringify(release.model, null, 2)}\n`;
  const reviews = lockEntry('data/reviews.csv', release.snapshot, legacy);
  const tokens = lockEntry('data/tokens', { seed: `${reviews.md5}:${JSON.stringify(release.params.tokenize)}`, size: 96_400_000, nfiles: 9 }, legacy);
  const model = lockEntry(
    'models/sentiment',
    { seed: `${tokens.md5}:${JSON.stringify(release.params.train)}:${modelJson}`, size: 268_100_000, nfiles: 6 },
    legacy,
  );
  const train = release.params.train;
  const lock = {
    schema: '2.0',
    stages: {
      tokenize: {
        cmd: 'python src/tokenize_reviews.py',
        deps: [reviews, lockEntry('src/tokenize_reviews.py', { content: TOKENIZE_PY }, legacy)],
        params: { 'params.yaml': { tokenize: release.params.tokenize } },
        outs: [tokens],
      },
      train: {
        cmd: 'python src/train.py',
        deps: [tokens, lockEntry('src/train.py', { content: TRAIN_PY }, legacy)],
        params: {
          'configs/model.json': { class_weights: release.model.class_weights, dropout: release.model.dropout, encoder: release.model.encoder },
          'params.yaml': { 'train.batch_size': train.batch_size, 'train.epochs': train.epochs, 'train.lr': train.lr, 'train.seed': train.seed },
        },
        outs: [model],
      },
      evaluate: {
        cmd: 'python src/evaluate.py',
        deps: [tokens, model, lockEntry('src/evaluate.py', { content: EVALUATE_PY }, legacy)],
        outs: [
          lockEntry('eval/confusion.csv', { content: confusion }, legacy),
          lockEntry('eval/metrics.toml', { content: metrics }, legacy),
          lockEntry('eval/per_class.yaml', { content: perClass }, legacy),
        ],
      },
    },
  };
  const imported = lockEntry('data/reviews.csv', release.snapshot);
  return {
    'data/reviews.csv.dvc': dvcYaml({
      md5: fakeDigest(`import-stage:${release.snapshot.seed}`),
      frozen: true,
      deps: [{ path: 'reviews/en/reviews.csv', repo: { url: 'https://github.com/acme/datasets', rev_lock: fakeDigest(release.snapshot.seed, 40) } }],
      outs: [{ md5: imported.md5, size: imported.size, hash: 'md5', path: 'reviews.csv' }],
    }),
    'params.yaml': dvcYaml(release.params),
    'configs/model.json': modelJson,
    'dvc.lock': dvcYaml(lock),
    'eval/metrics.toml': metrics,
    'eval/per_class.yaml': perClass,
    'eval/confusion.csv': confusion,
  };
}

const SNAPSHOT_2025_04 = { seed: 'acme-datasets@reviews-2025-04', size: 412_880_311 };
const SNAPSHOT_2026_02 = { seed: 'acme-datasets@reviews-2026-02', size: 498_120_774 };
const MODEL_V1: Release['model'] = {
  encoder: { name: 'distilbert-base-uncased', freeze_layers: 2 },
  dropout: 0.1,
  num_labels: 3,
  class_weights: [1, 1, 1],
};

const V1: Release = {
  snapshot: SNAPSHOT_2025_04,
  params: { tokenize: { max_length: 128, lowercase: true }, train: { epochs: 2, lr: 5e-5, batch_size: 32, seed: 13 } },
  model: MODEL_V1,
  metrics: { test: { accuracy: 0.842, macro_f1: 0.801, loss: 0.431 }, validation: { accuracy: 0.848, macro_f1: 0.809 } },
  perClass: {
    negative: { precision: 0.86, recall: 0.88, support: 4120 },
    neutral: { precision: 0.66, recall: 0.58, support: 2310 },
    positive: { precision: 0.89, recall: 0.92, support: 7570 },
  },
  legacyLock: true,
};

const V2: Release = {
  ...V1,
  params: { tokenize: { max_length: 128, lowercase: true }, train: { epochs: 4, lr: 3e-5, batch_size: 32, seed: 13 } },
  metrics: { test: { accuracy: 0.861, macro_f1: 0.824, loss: 0.389 }, validation: { accuracy: 0.866, macro_f1: 0.829 } },
  perClass: {
    negative: { precision: 0.88, recall: 0.9, support: 4120 },
    neutral: { precision: 0.7, recall: 0.62, support: 2310 },
    positive: { precision: 0.9, recall: 0.93, support: 7570 },
  },
  legacyLock: false,
};

const V3: Release = {
  ...V2,
  params: { tokenize: { max_length: 256, lowercase: true }, train: { epochs: 4, lr: 3e-5, batch_size: 16, seed: 13 } },
  model: { ...MODEL_V1, class_weights: [1, 1.8, 0.9] },
  metrics: { test: { accuracy: 0.874, macro_f1: 0.861, loss: 0.342 }, validation: { accuracy: 0.881, macro_f1: 0.866 } },
  perClass: {
    negative: { precision: 0.89, recall: 0.91, support: 4120 },
    neutral: { precision: 0.76, recall: 0.74, support: 2310 },
    positive: { precision: 0.92, recall: 0.92, support: 7570 },
  },
};

interface Step {
  message: string;
  date: string;
  author: GitIdentity;
  files: Record<string, string | null>;
  tags: TagSpec[];
}

const STEPS: Step[] = [
  {
    message: 'Import the reviews dataset and set up DVC',
    date: '2025-04-14T10:00:00+03:00',
    author: elena,
    files: {
      'README.md': README,
      '.gitignore': '__pycache__/\n.venv/\nwandb/\n',
      '.dvcignore': '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n',
      '.dvc/config': DVC_CONFIG,
      '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      'data/.gitignore': '/reviews.csv\n',
      'data/reviews.csv.dvc': files(V1)['data/reviews.csv.dvc'] ?? '',
      'requirements.txt': 'dvc[s3,azure]==3.59.1\ntransformers==4.51.3\ndatasets==3.5.0\ntorch==2.6.0\ntomli-w==1.2.0\nPyYAML==6.0.2\n',
    },
    tags: [],
  },
  {
    message: 'Fine-tune DistilBERT for review sentiment\n\nLock written from the lab machine, which still runs DVC 2.58.',
    date: '2025-04-22T17:00:00+03:00',
    author: elena,
    files: {
      ...files(V1),
      'dvc.yaml': DVC_YAML,
      'src/tokenize_reviews.py': TOKENIZE_PY,
      'src/train.py': TRAIN_PY,
      'src/evaluate.py': EVALUATE_PY,
      'data/.gitignore': '/reviews.csv\n/tokens\n',
      'models/.gitignore': '/sentiment\n',
    },
    tags: [
      { name: 'sentiment@v0.1.0', date: '2025-04-22T17:30:00+03:00', tagger: elena, message: 'Registering artifact sentiment version v0.1.0' },
      { name: 'sentiment#dev#1', date: '2025-04-23T09:15:00+03:00', tagger: elena, message: 'Assigning stage dev to artifact sentiment version v0.1.0' },
    ],
  },
  {
    message: 'Migrate the cache to DVC 3 and train for four epochs',
    date: '2025-07-08T09:00:00+03:00',
    author: elena,
    files: files(V2),
    tags: [
      { name: 'sentiment@v0.2.0', date: '2025-07-08T09:40:00+03:00', tagger: elena, message: 'Registering artifact sentiment version v0.2.0' },
      { name: 'sentiment#dev#2', date: '2025-07-08T09:41:00+03:00', tagger: elena, message: 'Assigning stage dev to artifact sentiment version v0.2.0' },
      { name: 'sentiment#prod#3', date: '2025-07-15T11:00:00+09:00', tagger: kenji, message: 'Assigning stage prod to artifact sentiment version v0.2.0' },
      {
        name: 'sentiment#prod!#4',
        date: '2025-08-01T12:00:00+09:00',
        tagger: kenji,
        message: 'Roll back sentiment from prod\n\nAccuracy on reviews shorter than 10 words dropped to 0.71 (was 0.80).\nThe support dashboard falls back to the keyword rules until v0.3.0.',
      },
    ],
  },
  {
    message: 'Reweight the neutral class; tokenize up to 256 tokens',
    date: '2025-09-30T14:00:00+03:00',
    author: elena,
    files: files(V3),
    tags: [
      { name: 'sentiment@v0.3.0', date: '2025-09-30T14:30:00+03:00', tagger: elena, message: 'Registering artifact sentiment version v0.3.0' },
      { name: 'sentiment#dev#5', date: '2025-09-30T14:31:00+03:00', tagger: elena, message: 'Assigning stage dev to artifact sentiment version v0.3.0' },
      {
        name: 'sentiment#prod#6',
        date: '2025-10-07T10:00:00+09:00',
        tagger: kenji,
        message: 'Promote sentiment v0.3.0 to prod\n\nShort-review accuracy back to 0.83.',
      },
    ],
  },
  {
    message: 'Update the reviews import to the February 2026 snapshot',
    date: '2026-03-10T16:20:00+02:00',
    author: elena,
    files: { 'data/reviews.csv.dvc': files({ ...V3, snapshot: SNAPSHOT_2026_02 })['data/reviews.csv.dvc'] ?? '' },
    tags: [],
  },
];

/**
 * Writes `research/nlp-sentiment`: the `sentiment` artifact (a directory output) with TOML
 * and YAML metrics, params from `params.yaml` and `configs/model.json`, a `dvc import` from
 * another repository, a stage unassigned and reassigned, and a first lock file in the
 * DVC 2.x form.
 */
export async function writeSentimentRepository(dir: string): Promise<void> {
  const writer = await RepoWriter.init(dir, { identity: elena });
  for (const step of STEPS) {
    await writer.write(step.files);
    await writer.commit(step.message, { date: step.date, author: step.author });
    // Stage tags point at the version's commit, so the later unassignment of v0.2.0 is tagged here too.
    for (const tag of step.tags) await writer.tag(tag.name, { message: tag.message, date: tag.date, tagger: tag.tagger });
  }
}
