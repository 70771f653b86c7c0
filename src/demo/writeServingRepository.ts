import { parseDvcLock } from '../parsing/index.js';
import { DEMO_PEOPLE } from './demoPeople.js';
import { dvcYaml } from './dvcYaml.js';
import { RepoWriter } from './repoWriter.js';

const { daniel, ciBot } = DEMO_PEOPLE;

/** Where the demo says `acme/churn-model` lives; the churn repository has it as `origin`. */
export const CHURN_MODEL_ORIGIN = 'https://github.com/acme/churn-model.git';

const README = `# Churn scoring service

Serves the churn model to the retention team's outreach tool. The model file is not
trained here: it is \`dvc import\`ed from acme/churn-model at the version in prod, so this
repository pins exactly which registered version it serves.

\`\`\`console
$ dvc update models/churn.pkl.dvc --rev churn#prod
\`\`\`
`;

/** What the serving repository pins: a commit of acme/churn-model and its model file's `dvc.lock` entry. */
export interface PinnedModel {
  commit: string;
  md5: string;
  size: number;
}

/** The commit of `tag` in `churn` and the md5/size `dvc.lock` records there for `models/churn.pkl`. */
export async function pinnedModel(churn: RepoWriter, tag: string): Promise<PinnedModel> {
  const commit = await churn.revParse(`${tag}^{commit}`);
  const lock = parseDvcLock(await churn.readAt(commit, 'dvc.lock'), 'dvc.lock').value;
  const model = lock.stages.flatMap((s) => s.outs).find((o) => o.repoPath === 'models/churn.pkl');
  if (!model?.md5 || model.size === undefined) throw new Error(`demo: acme/churn-model has no models/churn.pkl in dvc.lock at ${tag}`);
  return { commit, md5: model.md5, size: model.size };
}

/**
 * Writes `acme/churn-serving`: a deployment repository whose model file is a `dvc import`
 * of `models/churn.pkl` from acme/churn-model (by its GitHub URL) at the commit of
 * `churn@v2.0.0`, registered here as `churn-scorer` and promoted to prod.
 */
export async function writeServingRepository(dir: string, model: PinnedModel): Promise<void> {
  const pinned = model.commit;

  const writer = await RepoWriter.init(dir, { identity: daniel });
  await writer.write({
    'README.md': README,
    '.dvc/config': `[core]\n    remote = storage\n['remote "storage"']\n    url = s3://acme-ml-serving/dvc\n`,
    '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
    'models/.gitignore': '/churn.pkl\n',
    'models/churn.pkl.dvc': dvcYaml({
      md5: 'f0b1c9a2d3e4f5a6b7c8d9e0f1a2b3c4',
      frozen: true,
      deps: [{ path: 'models/churn.pkl', repo: { url: CHURN_MODEL_ORIGIN, rev: 'churn@v2.0.0', rev_lock: pinned } }],
      outs: [{ md5: model.md5, size: model.size, hash: 'md5', path: 'churn.pkl' }],
    }),
    'dvc.yaml': dvcYaml({
      artifacts: {
        'churn-scorer': {
          path: 'models/churn.pkl',
          type: 'model',
          desc: 'The churn model as the scoring API serves it (imported from acme/churn-model)',
          labels: ['serving', 'tabular'],
        },
      },
    }),
  });
  await writer.commit('Serve churn v2.0.0 (dvc import from acme/churn-model)', { date: '2026-01-21T09:00:00+00:00', author: daniel });
  await writer.tag('churn-scorer@v1.0.0', { message: 'Registering artifact churn-scorer version v1.0.0', date: '2026-01-21T09:30:00+00:00', tagger: daniel });
  await writer.tag('churn-scorer#prod#1', { message: 'Assigning stage prod to artifact churn-scorer version v1.0.0', date: '2026-01-21T11:00:00+00:00', tagger: ciBot });
}
