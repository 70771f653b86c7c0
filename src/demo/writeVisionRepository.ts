import { DEMO_PEOPLE } from './demoPeople.js';
import { dvcYaml } from './dvcYaml.js';
import { lockEntry } from './lockEntry.js';
import { RepoWriter, type GitIdentity } from './repoWriter.js';

const { hana, jonas, tom, ciBot } = DEMO_PEOPLE;

interface TagSpec {
  name: string;
  date: string;
  tagger: GitIdentity;
  message: string;
}

const README = `# acme/vision

Computer-vision models for the product catalog, one DVC project per folder:

| Folder | Artifact | What it does |
|---|---|---|
| \`detector/\` | \`detector:yolo\` | finds products on shelf photos |
| \`segmenter/\` | \`segmenter:unet\` | cuts products out of studio photos |

Artifacts are registered with GTO; tags use \`folder=name\`, e.g. \`detector=yolo@v1.0.0\`.
Data and models live in the \`gcs\` remote.
`;

const DVC_CONFIG = `[core]
    remote = gcs
['remote "gcs"']
    url = gs://acme-vision-artifacts/dvcstore
`;

// --- Root project: the ResNet baseline, registered in February 2025, deprecated in 2026. ---

const BASELINE_PY = `"""Fine-tune an ImageNet ResNet-50 on the product photo categories."""
import torch
import torchvision
import yaml

params = yaml.safe_load(open("params.yaml"))["baseline"]
model = torchvision.models.resnet50(weights="IMAGENET1K_V2")
model.fc = torch.nn.Linear(model.fc.in_features, params["num_classes"])
# Training loop elided: see notebooks/baseline.ipynb for the full run.
torch.save(model.state_dict(), "models/resnet50.pt")
`;

function baselineFiles(): Record<string, string> {
  const params = { baseline: { num_classes: 42, epochs: 12, lr: 0.001, batch_size: 64, img_size: 224 } };
  const metrics = `${JSON.stringify({ top1: 0.812, top5: 0.957, loss: 0.684 }, null, 2)}\n`;
  const photos = lockEntry('data/product-photos', { seed: 'product-photos-2025-01', size: 2_870_000_000, nfiles: 18_240 });
  return {
    'params.yaml': dvcYaml(params),
    'src/train_baseline.py': BASELINE_PY,
    'data/product-photos.dvc': dvcYaml({ outs: [{ md5: photos.md5, size: photos.size, nfiles: photos.nfiles, hash: 'md5', path: 'product-photos' }] }),
    'data/.gitignore': '/product-photos\n',
    'models/.gitignore': '/resnet50.pt\n',
    'eval/baseline.json': metrics,
    'dvc.yaml': dvcYaml({
      stages: {
        train_baseline: {
          cmd: 'python src/train_baseline.py',
          deps: ['data/product-photos', 'src/train_baseline.py'],
          params: ['baseline'],
          outs: ['models/resnet50.pt'],
          metrics: [{ 'eval/baseline.json': { cache: false } }],
        },
      },
      artifacts: {
        'resnet-baseline': {
          path: 'models/resnet50.pt',
          type: 'model',
          desc: 'ImageNet-pretrained ResNet-50 fine-tuned on product photo categories (baseline)',
          labels: ['vision', 'classification', 'baseline'],
        },
      },
    }),
    'dvc.lock': dvcYaml({
      schema: '2.0',
      stages: {
        train_baseline: {
          cmd: 'python src/train_baseline.py',
          deps: [photos, lockEntry('src/train_baseline.py', { content: BASELINE_PY })],
          params: { 'params.yaml': { baseline: params.baseline } },
          outs: [
            lockEntry('models/resnet50.pt', { seed: 'resnet50-v1', size: 94_380_000 }),
            lockEntry('eval/baseline.json', { content: metrics }),
          ],
        },
      },
    }),
  };
}

// --- detector/: YOLO. Paths in its dvc.yaml and dvc.lock are relative to detector/. ---

interface DetectorRelease {
  images: { seed: string; size: number; nfiles: number };
  train: { backbone: string; epochs: number; img_size: number; batch: number; lr0: number; mosaic: number };
  metrics: Record<string, number>;
  modelSize: number;
}

const DETECTOR_PREPARE_PY = `"""Convert labelled shelf photos to the YOLO dataset layout."""
import argparse

import yaml
from acme_vision.datasets import export_yolo

parser = argparse.ArgumentParser()
parser.add_argument("--images")
parser.add_argument("--out")
args = parser.parse_args()
params = yaml.safe_load(open("params.yaml"))["prepare"]
export_yolo(args.images, args.out, img_size=params["img_size"], val_fraction=params["val_fraction"])
`;

const DETECTOR_TRAIN_PY = `"""Train the shelf detector with Ultralytics YOLO."""
import argparse
import json
import shutil

import yaml
from ultralytics import YOLO

parser = argparse.ArgumentParser()
parser.add_argument("--data")
parser.add_argument("--out")
args = parser.parse_args()
params = yaml.safe_load(open("params.yaml"))["train"]

model = YOLO(f"{params['backbone']}.pt")
results = model.train(
    data=f"{args.data}/dataset.yaml",
    epochs=params["epochs"],
    imgsz=params["img_size"],
    batch=params["batch"],
    lr0=params["lr0"],
    mosaic=params["mosaic"],
)
shutil.copy(results.save_dir / "weights" / "best.pt", args.out)
json.dump(
    {"mAP50": results.box.map50, "mAP50-95": results.box.map, "precision": results.box.mp, "recall": results.box.mr},
    open("metrics.json", "w"),
    indent=2,
)
`;

function detectorFiles(release: DetectorRelease): Record<string, string> {
  const prepareParams = { img_size: release.train.img_size, val_fraction: 0.15 };
  const metrics = `${JSON.stringify(release.metrics, null, 2)}\n`;
  const images = lockEntry('data/images', release.images);
  const yolo = lockEntry('data/yolo', { seed: `${images.md5}:${JSON.stringify(prepareParams)}`, size: 1_940_000_000, nfiles: release.images.nfiles * 2 + 1 });
  return {
    'detector/params.yaml': dvcYaml({ prepare: prepareParams, train: release.train }),
    'detector/src/prepare.py': DETECTOR_PREPARE_PY,
    'detector/src/train.py': DETECTOR_TRAIN_PY,
    'detector/data/images.dvc': dvcYaml({
      outs: [{ md5: images.md5, size: images.size, nfiles: images.nfiles, hash: 'md5', path: 'images' }],
    }),
    'detector/data/.gitignore': '/images\n/yolo\n',
    'detector/models/.gitignore': '/yolo.pt\n',
    'detector/metrics.json': metrics,
    'detector/dvc.yaml': dvcYaml({
      stages: {
        prepare: {
          cmd: 'python src/prepare.py --images data/images --out data/yolo',
          deps: ['data/images', 'src/prepare.py'],
          params: ['prepare.img_size', 'prepare.val_fraction'],
          outs: ['data/yolo'],
        },
        train: {
          cmd: 'python src/train.py --data data/yolo --out models/yolo.pt',
          deps: ['data/yolo', 'src/train.py'],
          params: ['train'],
          outs: ['models/yolo.pt'],
          metrics: [{ 'metrics.json': { cache: false } }],
        },
      },
      artifacts: {
        yolo: {
          path: 'models/yolo.pt',
          type: 'model',
          desc: 'YOLO detector for products on shelf photos',
          labels: ['vision', 'detection', 'pytorch'],
        },
      },
    }),
    'detector/dvc.lock': dvcYaml({
      schema: '2.0',
      stages: {
        prepare: {
          cmd: 'python src/prepare.py --images data/images --out data/yolo',
          deps: [images, lockEntry('src/prepare.py', { content: DETECTOR_PREPARE_PY })],
          params: { 'params.yaml': { 'prepare.img_size': prepareParams.img_size, 'prepare.val_fraction': prepareParams.val_fraction } },
          outs: [yolo],
        },
        train: {
          cmd: 'python src/train.py --data data/yolo --out models/yolo.pt',
          deps: [yolo, lockEntry('src/train.py', { content: DETECTOR_TRAIN_PY })],
          params: { 'params.yaml': { train: release.train } },
          outs: [
            lockEntry('models/yolo.pt', { seed: `${yolo.md5}:${JSON.stringify(release.train)}`, size: release.modelSize }),
            lockEntry('metrics.json', { content: metrics }),
          ],
        },
      },
    }),
  };
}

// --- segmenter/: U-Net, trained in PyTorch and exported to ONNX. ---

interface SegmenterRelease {
  train: { encoder: string; epochs: number; lr: number; loss: string; img_size: number };
  export: { opset: number };
  metrics: Record<string, number>;
}

const SEGMENTER_TRAIN_PY = `"""Train the U-Net that cuts products out of studio photos."""
import json

import segmentation_models_pytorch as smp
import torch
import yaml
from acme_vision.training import fit

params = yaml.safe_load(open("params.yaml"))["train"]
model = smp.Unet(encoder_name=params["encoder"], classes=1)
history = fit(model, "data/masks", epochs=params["epochs"], lr=params["lr"], loss=params["loss"], size=params["img_size"])
torch.save(model.state_dict(), "models/unet.pt")
json.dump(history.final_metrics(), open("metrics.json", "w"), indent=2)
`;

const SEGMENTER_EXPORT_PY = `"""Export the trained U-Net to ONNX for the inference service."""
import segmentation_models_pytorch as smp
import torch
import yaml

params = yaml.safe_load(open("params.yaml"))
model = smp.Unet(encoder_name=params["train"]["encoder"], classes=1)
model.load_state_dict(torch.load("models/unet.pt"))
size = params["train"]["img_size"]
torch.onnx.export(model.eval(), torch.zeros(1, 3, size, size), "models/unet.onnx", opset_version=params["export"]["opset"])
`;

function segmenterFiles(release: SegmenterRelease): Record<string, string> {
  const metrics = `${JSON.stringify(release.metrics, null, 2)}\n`;
  const masks = lockEntry('data/masks', { seed: 'studio-masks-2025-05', size: 812_000_000, nfiles: 6_410 });
  const pt = lockEntry('models/unet.pt', { seed: `${masks.md5}:${JSON.stringify(release.train)}`, size: 97_600_000 });
  return {
    'segmenter/params.yaml': dvcYaml({ train: release.train, export: release.export }),
    'segmenter/src/train.py': SEGMENTER_TRAIN_PY,
    'segmenter/src/export.py': SEGMENTER_EXPORT_PY,
    'segmenter/data/masks.dvc': dvcYaml({ outs: [{ md5: masks.md5, size: masks.size, nfiles: masks.nfiles, hash: 'md5', path: 'masks' }] }),
    'segmenter/data/.gitignore': '/masks\n',
    'segmenter/models/.gitignore': '/unet.pt\n/unet.onnx\n',
    'segmenter/metrics.json': metrics,
    'segmenter/dvc.yaml': dvcYaml({
      stages: {
        train: {
          cmd: 'python src/train.py',
          deps: ['data/masks', 'src/train.py'],
          params: ['train'],
          outs: ['models/unet.pt'],
          metrics: [{ 'metrics.json': { cache: false } }],
        },
        export: {
          cmd: 'python src/export.py',
          deps: ['models/unet.pt', 'src/export.py'],
          params: ['export.opset', 'train.encoder', 'train.img_size'],
          outs: ['models/unet.onnx'],
        },
      },
      artifacts: {
        unet: {
          path: 'models/unet.onnx',
          type: 'model',
          desc: 'U-Net product cut-out model, exported to ONNX',
          labels: ['vision', 'segmentation', 'onnx'],
          meta: { input: '1x3x512x512 float32', output: '1x1x512x512 mask logits' },
        },
      },
    }),
    'segmenter/dvc.lock': dvcYaml({
      schema: '2.0',
      stages: {
        train: {
          cmd: 'python src/train.py',
          deps: [masks, lockEntry('src/train.py', { content: SEGMENTER_TRAIN_PY })],
          params: { 'params.yaml': { train: release.train } },
          outs: [pt, lockEntry('metrics.json', { content: metrics })],
        },
        export: {
          cmd: 'python src/export.py',
          deps: [pt, lockEntry('src/export.py', { content: SEGMENTER_EXPORT_PY })],
          params: {
            'params.yaml': { 'export.opset': release.export.opset, 'train.encoder': release.train.encoder, 'train.img_size': release.train.img_size },
          },
          outs: [lockEntry('models/unet.onnx', { seed: `${pt.md5}:${release.export.opset}`, size: 97_900_000 })],
        },
      },
    }),
  };
}

const IMAGES_2025_05 = { seed: 'shelf-photos-2025-05', size: 3_410_000_000, nfiles: 12_840 };
const IMAGES_2025_11 = { seed: 'shelf-photos-2025-11', size: 4_980_000_000, nfiles: 19_112 };

interface Step {
  message: string;
  date: string;
  author: GitIdentity;
  files: Record<string, string | null>;
  tags: TagSpec[];
}

const STEPS: Step[] = [
  {
    message: 'ResNet-50 baseline for product photo classification',
    date: '2025-02-10T09:00:00+00:00',
    author: tom,
    files: {
      'README.md': README,
      '.dvc/config': DVC_CONFIG,
      '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      '.dvcignore': '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n',
      ...baselineFiles(),
    },
    tags: [{ name: 'resnet-baseline@v1.0.0', date: '2025-02-11T10:00:00+00:00', tagger: tom, message: 'Registering artifact resnet-baseline version v1.0.0' }],
  },
  {
    message: 'Add the YOLO shelf detector project',
    date: '2025-05-05T15:00:00-07:00',
    author: hana,
    files: detectorFiles({
      images: IMAGES_2025_05,
      train: { backbone: 'yolov8s', epochs: 100, img_size: 640, batch: 32, lr0: 0.01, mosaic: 0 },
      metrics: { mAP50: 0.612, 'mAP50-95': 0.401, precision: 0.684, recall: 0.577 },
      modelSize: 22_500_000,
    }),
    tags: [
      { name: 'detector=yolo@v0.1.0', date: '2025-05-06T09:00:00-07:00', tagger: hana, message: 'Registering artifact detector:yolo version v0.1.0' },
      { name: 'detector=yolo#dev#1', date: '2025-05-06T09:05:00-07:00', tagger: hana, message: 'Assigning stage dev to artifact detector:yolo version v0.1.0' },
    ],
  },
  {
    message: 'Add the U-Net segmenter project',
    date: '2025-05-20T11:00:00+02:00',
    author: jonas,
    files: segmenterFiles({
      train: { encoder: 'resnet34', epochs: 40, lr: 0.0003, loss: 'bce', img_size: 512 },
      export: { opset: 13 },
      metrics: { iou: 0.874, dice: 0.921, pixel_accuracy: 0.978 },
    }),
    tags: [
      { name: 'segmenter=unet@v0.1.0', date: '2025-05-20T11:30:00+02:00', tagger: jonas, message: 'Registering artifact segmenter:unet version v0.1.0' },
      { name: 'segmenter=unet#dev#1', date: '2025-05-20T11:31:00+02:00', tagger: jonas, message: 'Assigning stage dev to artifact segmenter:unet version v0.1.0' },
    ],
  },
  {
    message: 'detector: mosaic augmentation, 150 epochs',
    date: '2025-07-14T16:00:00-07:00',
    author: hana,
    files: detectorFiles({
      images: IMAGES_2025_05,
      train: { backbone: 'yolov8s', epochs: 150, img_size: 640, batch: 32, lr0: 0.01, mosaic: 1 },
      metrics: { mAP50: 0.668, 'mAP50-95': 0.447, precision: 0.721, recall: 0.629 },
      modelSize: 22_500_000,
    }),
    tags: [
      { name: 'detector=yolo@v0.2.0', date: '2025-07-15T08:00:00-07:00', tagger: hana, message: 'Registering artifact detector:yolo version v0.2.0' },
      { name: 'detector=yolo#dev#2', date: '2025-07-15T08:01:00-07:00', tagger: ciBot, message: 'Assigning stage dev to artifact detector:yolo version v0.2.0' },
      {
        name: 'detector=yolo#prod#3',
        date: '2025-07-22T10:00:00-07:00',
        tagger: hana,
        message: 'First production detector\n\nA/B on 5% of stores for a week: out-of-stock recall +9 points.',
      },
    ],
  },
  {
    message: 'segmenter: dice loss, export with ONNX opset 17',
    date: '2025-09-02T10:00:00+02:00',
    author: jonas,
    files: segmenterFiles({
      train: { encoder: 'resnet34', epochs: 60, lr: 0.0003, loss: 'dice', img_size: 512 },
      export: { opset: 17 },
      metrics: { iou: 0.902, dice: 0.943, pixel_accuracy: 0.983 },
    }),
    tags: [
      { name: 'segmenter=unet@v0.2.0', date: '2025-09-02T10:30:00+02:00', tagger: jonas, message: 'Registering artifact segmenter:unet version v0.2.0' },
      { name: 'segmenter=unet#prod#2', date: '2025-09-09T14:00:00+02:00', tagger: jonas, message: 'Assigning stage prod to artifact segmenter:unet version v0.2.0' },
    ],
  },
  {
    message: 'detector: YOLOv8m backbone, retrain on the November 2025 catalog',
    date: '2025-11-18T13:00:00-08:00',
    author: hana,
    files: detectorFiles({
      images: IMAGES_2025_11,
      train: { backbone: 'yolov8m', epochs: 150, img_size: 800, batch: 16, lr0: 0.008, mosaic: 1 },
      metrics: { mAP50: 0.731, 'mAP50-95': 0.512, precision: 0.768, recall: 0.694 },
      modelSize: 52_000_000,
    }),
    tags: [
      { name: 'detector=yolo@v1.0.0', date: '2025-11-18T13:30:00-08:00', tagger: hana, message: 'Registering artifact detector:yolo version v1.0.0' },
      { name: 'detector=yolo#prod#4', date: '2025-11-25T09:00:00-08:00', tagger: hana, message: 'Assigning stage prod to artifact detector:yolo version v1.0.0' },
    ],
  },
  {
    message: 'Remove the ResNet baseline (superseded by the detector)',
    date: '2026-02-02T10:00:00+00:00',
    author: tom,
    files: {
      'dvc.yaml': null,
      'dvc.lock': null,
      'params.yaml': null,
      'src/train_baseline.py': null,
      'eval/baseline.json': null,
      'models/.gitignore': null,
    },
    tags: [
      {
        name: 'resnet-baseline@deprecated',
        date: '2026-02-02T10:15:00+00:00',
        tagger: tom,
        message: 'Deprecate resnet-baseline\n\nSuperseded by detector:yolo; the classification endpoint was retired in January.',
      },
    ],
  },
];

/**
 * Writes `acme/vision`: a bare monorepo with two nested DVC projects (`detector/`,
 * `segmenter/`, GTO tags `detector=yolo@…`) and a root artifact that was registered and
 * later deprecated.
 */
export async function writeVisionRepository(dir: string): Promise<void> {
  const writer = await RepoWriter.init(dir, { bare: true, identity: tom });
  try {
    for (const step of STEPS) {
      await writer.write(step.files);
      await writer.commit(step.message, { date: step.date, author: step.author });
      for (const tag of step.tags) await writer.tag(tag.name, { message: tag.message, date: tag.date, tagger: tag.tagger });
    }
  } finally {
    await writer.close();
  }
}
