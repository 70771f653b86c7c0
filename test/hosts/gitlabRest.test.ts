import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Gitlab, GitbeakerRequestError, GitbeakerRetryError } from '@gitbeaker/rest';
import { HostSimulator } from '../../src/hosts/index.js';
import { useTempDir } from '../support/gitRepo.js';
import { BINARY, DVC_YAML, NESTED_DVC_YAML, buildSimRepos, enc, gitIn } from './simRepos.js';
import type { SimRepos } from './simRepos.js';

const DETECTOR = 'ml/vision/detector';

describe('the GitLab REST face, through the real @gitbeaker/rest', () => {
  const dir = useTempDir('modelgate-sim-gitlab');
  let repos: SimRepos;
  let sim: HostSimulator;
  const gitlab = (token = 'gl-token') => new Gitlab({ host: sim.url, token });

  beforeAll(async () => {
    repos = await buildSimRepos(dir.path);
    sim = await HostSimulator.start({
      reposDir: dir.path,
      tokens: {
        'gl-token': { name: 'ada' },
        'vision-token': { name: 'bob', repos: ['ml/vision/*'] },
        'tiny-token': { name: 'tiny', budget: 2 },
      },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('lists a group with nested subgroups over several pages, following Link rel="next"', async () => {
    sim.resetStats();
    const projects = await gitlab().Groups.allProjects('ml', { includeSubgroups: true, perPage: 2 });
    expect(projects.map((p) => p.path_with_namespace).sort()).toEqual(['ml/empty', 'ml/nlp/tagger', 'ml/top', 'ml/vision/detector', 'ml/vision/segmenter']);
    expect(sim.stats().byEndpoint['GET /groups/{id}/projects']?.requests).toBe(3);
    const direct = await gitlab().Groups.allProjects('ml', {});
    expect(direct.map((p) => p.path_with_namespace).sort()).toEqual(['ml/empty', 'ml/top']);
    const sub = await gitlab().Groups.allProjects('ml/vision', { includeSubgroups: true });
    expect(sub.map((p) => p.path_with_namespace).sort()).toEqual(['ml/vision/detector', 'ml/vision/segmenter']);
  });

  it('sends the offset pagination headers GitLab sends', async () => {
    const response = await fetch(`${sim.gitlabUrl}/groups/${enc('ml')}/projects?include_subgroups=true&per_page=2&page=2`, { headers: { 'private-token': 'gl-token' } });
    expect(Object.fromEntries(['x-page', 'x-per-page', 'x-total', 'x-total-pages', 'x-next-page', 'x-prev-page'].map((h) => [h, response.headers.get(h)]))).toEqual({
      'x-page': '2',
      'x-per-page': '2',
      'x-total': '5',
      'x-total-pages': '3',
      'x-next-page': '3',
      'x-prev-page': '1',
    });
    const link = response.headers.get('link') ?? '';
    for (const rel of ['prev', 'next', 'first', 'last']) expect(link).toContain(`rel="${rel}"`);
    expect(link).toContain(`<${sim.gitlabUrl}/groups/ml/projects?`);
  });

  it('shows a project by URL-encoded path and by numeric id, with permissions', async () => {
    const project = await gitlab().Projects.show(DETECTOR);
    expect(project).toMatchObject({
      path: 'detector',
      path_with_namespace: DETECTOR,
      name_with_namespace: 'ml / vision / detector',
      default_branch: 'main',
      empty_repo: false,
      archived: false,
      visibility: 'private',
      namespace: { kind: 'group', full_path: 'ml/vision', path: 'vision' },
      permissions: { project_access: { access_level: 40 }, group_access: null },
    });
    const byId = await gitlab().Projects.show(project.id);
    expect(byId.path_with_namespace).toBe(DETECTOR);
    const empty = await gitlab().Projects.show('ml/empty');
    expect(empty).toMatchObject({ empty_repo: true, default_branch: null });
  });

  it('hides projects outside the token\'s list: 404 Project Not Found, left out of listings', async () => {
    const limited = gitlab('vision-token');
    await expect(limited.Projects.show('ml/top')).rejects.toThrow('404 Project Not Found');
    await expect(limited.Projects.show('ml/nope')).rejects.toThrow('404 Project Not Found');
    const listed = await limited.Projects.all({ membership: true });
    expect(listed.map((p) => p.path_with_namespace).sort()).toEqual(['ml/vision/detector', 'ml/vision/segmenter']);
    await expect(limited.Groups.allProjects('ml/nlp', {})).rejects.toThrow('404 Group Not Found');
  });

  it('answers 401 Unauthorized without a valid token, and 404 when a path is not URL-encoded', async () => {
    await expect(gitlab('wrong').Projects.show(DETECTOR)).rejects.toThrow('401 Unauthorized');
    const anonymous = await fetch(`${sim.gitlabUrl}/projects/${enc(DETECTOR)}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: '401 Unauthorized' });
    const unencoded = await fetch(`${sim.gitlabUrl}/projects/${enc(DETECTOR)}/repository/files/models/dvc.yaml?ref=main`, { headers: { 'private-token': 'gl-token' } });
    expect(unencoded.status).toBe(404);
  });

  it('walks the recursive tree with keyset pagination (page_token in Link rel="next")', async () => {
    sim.resetStats();
    const entries = await gitlab().Repositories.allRepositoryTrees(DETECTOR, { recursive: true, ref: 'main', pagination: 'keyset', perPage: 2 });
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual(['blob dvc.yaml', 'tree models', 'blob models/a.txt', 'blob models/b.txt', 'blob models/dvc.yaml', 'tree src', 'blob src/train.py']);
    expect(sim.stats().byEndpoint['GET /projects/{id}/repository/tree']?.requests).toBe(4);
    const tree = await sim.git.tree((await sim.git.find(DETECTOR))!, 'main', true);
    expect(entries.map((e) => e.id)).toEqual(tree?.entries.map((e) => e.sha));
    const response = await fetch(`${sim.gitlabUrl}/projects/${enc(DETECTOR)}/repository/tree?recursive=true&per_page=3&pagination=keyset`, { headers: { 'private-token': 'gl-token' } });
    expect(response.headers.get('link')).toMatch(/^<[^>]*page_token=models%2Fa\.txt[^>]*>; rel="next"$/);
    const sub = await gitlab().Repositories.allRepositoryTrees(DETECTOR, { path: 'models', ref: 'main' });
    expect(sub.map((e) => e.path)).toEqual(['models/a.txt', 'models/b.txt', 'models/dvc.yaml']);
  });

  it('serves raw files as text or bytes, and file JSON with base64, blob and commit ids', async () => {
    const raw = await gitlab().RepositoryFiles.showRaw(DETECTOR, 'models/dvc.yaml', 'det@v1.0.0');
    expect(raw).toBe(NESTED_DVC_YAML);
    const binary = await gitlab().RepositoryFiles.showRaw('acme/churn', 'models/churn.pkl', 'main');
    expect(binary).toBeInstanceOf(Blob);
    expect(Buffer.from(await (binary as unknown as Blob).arrayBuffer())).toEqual(BINARY);
    const file = await gitlab().RepositoryFiles.show(DETECTOR, 'dvc.yaml', 'main');
    expect(file).toMatchObject({ file_name: 'dvc.yaml', file_path: 'dvc.yaml', encoding: 'base64', ref: 'main', commit_id: repos.detector.head, last_commit_id: repos.detector.head, execute_filemode: false });
    expect(Buffer.from(file.content, 'base64').toString()).toBe(DVC_YAML);
    expect(file.blob_id).toBe(await gitIn(repos.detector.gitDir, ['rev-parse', 'main:dvc.yaml']));
    const params = await gitlab().RepositoryFiles.show('acme/churn', 'dvc.yaml', 'main');
    expect(params.last_commit_id).toBe(repos.churn.first);
    await expect(gitlab().RepositoryFiles.showRaw(DETECTOR, 'nope.yaml', 'main')).rejects.toThrow('404 File Not Found');
  });

  it('lists annotated and lightweight tags with message, target, commit and created_at', async () => {
    const tags = await gitlab().Tags.all(DETECTOR);
    const byName = Object.fromEntries(tags.map((t) => [t.name, t]));
    expect(byName['det@v1.0.0']).toMatchObject({
      message: 'Detector v1\n',
      target: repos.detector.v1Tag,
      commit: { id: repos.detector.head, committed_date: '2025-03-01T10:00:00.000+02:00', title: 'Detector' },
      created_at: '2025-03-02T10:00:00.000+02:00',
      release: null,
      protected: false,
    });
    expect(byName['det-light']).toMatchObject({ message: null, target: repos.detector.head, created_at: null });
    const one = await gitlab().Tags.show(DETECTOR, 'det@v1.0.0');
    expect(one.target).toBe(repos.detector.v1Tag);
    const churn = await gitlab().Tags.all('acme/churn', { orderBy: 'updated', sort: 'asc' });
    expect(churn.map((t) => t.name)).toEqual(['churn@v1.0.0', 'light', 'churn#prod#1']);
  });

  it('creates an annotated tag (tag_name and ref in the query, message in the body) and refuses a duplicate with 400', async () => {
    const tag = await gitlab().Tags.create(DETECTOR, 'det#prod#1', 'main', { message: 'Promote detector' });
    expect(tag).toMatchObject({ name: 'det#prod#1', message: 'Promote detector', commit: { id: repos.detector.head } });
    expect(tag.target).not.toBe(repos.detector.head);
    expect(await gitIn(repos.detector.gitDir, ['for-each-ref', '--format=%(objecttype) %(taggername) %(contents:subject)', 'refs/tags/det#prod#1'])).toBe('tag ada Promote detector');
    await expect(gitlab().Tags.create(DETECTOR, 'det#prod#1', 'main', { message: 'again' })).rejects.toThrow('Tag det#prod#1 already exists');
    await expect(gitlab().Tags.create(DETECTOR, 'det#prod#2', 'no-such-branch')).rejects.toThrow('Target no-such-branch is invalid');
  });

  it('shows a commit and a branch', async () => {
    const commit = await gitlab().Commits.show(DETECTOR, 'main');
    expect(commit).toMatchObject({ id: repos.detector.head, short_id: repos.detector.head.slice(0, 8), parent_ids: [], author_name: 'Modelgate Demo', authored_date: '2025-03-01T10:00:00.000+02:00' });
    const branch = await gitlab().Branches.show(DETECTOR, 'main');
    expect(branch).toMatchObject({ name: 'main', default: true, commit: { id: repos.detector.head } });
    await expect(gitlab().Commits.show(DETECTOR, 'deadbeef')).rejects.toBeInstanceOf(GitbeakerRequestError);
  });

  it('sends RateLimit-* headers, and 429 "Retry later" with Retry-After once the budget is spent', async () => {
    const ok = await fetch(`${sim.gitlabUrl}/projects/${enc(DETECTOR)}`, { headers: { authorization: 'Bearer tiny-token' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('2');
    expect(ok.headers.get('ratelimit-observed')).toBe('1');
    expect(ok.headers.get('ratelimit-remaining')).toBe('1');
    expect(ok.headers.get('ratelimit-name')).toBe('throttle_authenticated_api');
    await gitlab('tiny-token').Projects.show(DETECTOR);
    const spent = await fetch(`${sim.gitlabUrl}/projects/${enc(DETECTOR)}`, { headers: { 'private-token': 'tiny-token' } });
    expect(spent.status).toBe(429);
    expect(await spent.text()).toBe('Retry later\n');
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(spent.headers.get('ratelimit-remaining')).toBe('0');
    expect(spent.headers.get('ratelimit-resettime')).toMatch(/GMT$/);
    // Gitbeaker retries 429 ten times within a quarter of a second, then gives up.
    await expect(gitlab('tiny-token').Projects.show(DETECTOR)).rejects.toBeInstanceOf(GitbeakerRetryError);
  });
});
