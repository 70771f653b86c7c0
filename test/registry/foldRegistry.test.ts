import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { foldRegistry } from '../../src/registry/index.js';
import type { FoldedArtifact, RegistryTag } from '../../src/registry/index.js';
import { gtoTag } from '../support/gtoTag.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const C3 = '3'.repeat(40);
const C4 = '4'.repeat(40);

/** A parsed, annotated GTO tag at `commit`, made at `seconds` after 2024-01-01T00:00:00Z. */
function tag(name: string, commit: string, seconds: number, tagger = 'Alice'): RegistryTag {
  return gtoTag(name, commit, 1704067200 + seconds, { tagger });
}

function only(tags: RegistryTag[]): FoldedArtifact {
  const { artifacts } = foldRegistry(tags);
  expect(artifacts).toHaveLength(1);
  return artifacts[0] as FoldedArtifact;
}

/** A compact view of a folded artifact for table tests. */
function view(a: FoldedArtifact) {
  return {
    latest: a.latest,
    deprecated: a.deprecated,
    versions: a.versions.map((v) => `${v.name}${v.registered ? '' : '(unregistered)'}${v.deregistered ? '(deregistered)' : ''}${v.active ? '' : '(inactive)'}[${v.stages.join(',')}]`),
    stages: a.stages.map((s) => `${s.stage}=${s.version}`),
    all: a.assignments.map((s) => `${s.stage}=${s.version}`),
  };
}

describe('foldRegistry (GTO get_state / show / history)', () => {
  it('matches the golden registry of an example-gto-shaped repository', () => {
    const tags = [
      tag('churn@v3.0.0', C1, 0),
      tag('churn#dev#1', C1, 100),
      tag('churn@v3.1.0', C2, 200),
      tag('churn#staging#2', C2, 300),
      tag('churn#prod#3', C1, 400),
      tag('churn@v3.1.1', C3, 500),
      tag('churn#dev#4', C3, 600),
      tag('segment@v0.4.1', C1, 700),
      tag('segment#dev#1', C1, 800),
      tag('cv-class@v0.1.13', C4, 900),
    ];
    const folded = foldRegistry(tags);
    const file = new URL('./fixtures/example-gto.expected.json', import.meta.url);
    // UPDATE_GOLDEN=1 rewrites the golden file; review its diff before committing it.
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, `${JSON.stringify(folded, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(file, 'utf8'));
    expect(folded).toEqual(golden);
  });

  it('takes the newest active assignment per stage, keeping older ones in all: true', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v2.0.0', C2, 10), tag('m#prod#1', C2, 20), tag('m#prod#2', C1, 30)]);
    expect(view(a).stages).toEqual(['prod=v1.0.0']);
    expect(view(a).all).toEqual(['prod=v1.0.0', 'prod=v2.0.0']);
    expect(a.versions.find((v) => v.name === 'v2.0.0')?.activeStages).toEqual(['prod']);
  });

  it('breaks same-second ties by action priority, so a same-second unassign wins over the assign', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m#prod!#2', C1, 5), tag('m#prod#1', C1, 5)]);
    expect(view(a).stages).toEqual([]);
    expect(a.history.map((e) => e.kind)).toEqual(['UNASSIGNED', 'ASSIGNED', 'REGISTERED']);
  });

  it('places stage tags after every registration even when the stage tag is older', () => {
    const a = only([tag('m#prod#1', C1, 0), tag('m@v1.0.0', C1, 10)]);
    expect(view(a).versions).toEqual(['v1.0.0[prod]']);
  });

  it('names a version by commit SHA when a stage tag points at an unregistered commit, and never makes it latest', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m#prod#1', C2, 10)]);
    expect(a.latest).toBe('v1.0.0');
    expect(view(a).versions).toEqual(['v1.0.0[]', `${C2}(unregistered)[prod]`]);
    expect(view(a).stages).toEqual([`prod=${C2}`]);
  });

  it('reports two versions on one commit as a problem of that artifact and ignores the ambiguous stage tag', () => {
    const { artifacts, problems } = foldRegistry([
      tag('m@v1.0.0', C1, 0),
      tag('m@v1.0.1', C1, 10),
      tag('m#prod#1', C1, 20),
      tag('other@v1.0.0', C2, 0),
      tag('other#prod#1', C2, 5),
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ artifact: 'm', tag: 'm#prod#1' });
    expect(problems[0]?.message).toMatch(/ManyVersions/);
    expect(artifacts.find((a) => a.name === 'm')?.latest).toBe('v1.0.1');
    expect(artifacts.find((a) => a.name === 'other')?.stages.map((s) => s.stage)).toEqual(['prod']);
  });

  it('keeps the same version string at two commits as two versions', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v1.0.0', C2, 10)]);
    expect(a.versions.map((v) => `${v.name}@${v.commit[0]}`)).toEqual(['v1.0.0@2', 'v1.0.0@1']);
  });

  it('reports a version registered twice at one commit', () => {
    const { problems } = foldRegistry([tag('m@v1.0.0', C1, 0), tag('m@v1.0.0#2', C1, 10)]);
    expect(problems.map((p) => p.tag)).toEqual(['m@v1.0.0#2']);
  });

  it('drops a deregistered version from latest and from stages', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v1.1.0', C2, 10), tag('m#prod#1', C2, 20), tag('m@v1.1.0!', C2, 30)]);
    expect(a.latest).toBe('v1.0.0');
    expect(view(a).versions).toEqual(['v1.1.0(deregistered)(inactive)[]', 'v1.0.0[]']);
    expect(view(a).stages).toEqual([]);
  });

  it('revives a deregistered version registered again', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v1.0.0!', C1, 10), tag('m@v1.0.0#3', C1, 20)]);
    expect(a.latest).toBe('v1.0.0');
    expect(a.versions[0]?.deregistered).toBe(false);
  });

  it('deprecates a model with @deprecated and revives it with a later registration', () => {
    expect(only([tag('m@v1.0.0', C1, 0), tag('m@deprecated', C1, 10)]).deprecated).toBe(true);
    expect(only([tag('m@v1.0.0', C1, 0), tag('m@deprecated', C1, 10), tag('m@v1.1.0', C2, 20)]).deprecated).toBe(false);
  });

  it('treats a same-second registration after @deprecated as newer (registration has the higher priority)', () => {
    expect(only([tag('m@deprecated', C1, 10), tag('m@v1.0.0', C1, 10)]).deprecated).toBe(false);
  });

  it('orders versions by SemVer with pre-releases below releases, not by counters or time', () => {
    const a = only([
      tag('m@v2.0.0-rc.1', C1, 0),
      tag('m@v1.10.0#9', C2, 10),
      tag('m@v1.9.0#1', C3, 20),
      tag('m@v2.0.0', C4, 5),
    ]);
    expect(a.versions.map((v) => v.name)).toEqual(['v2.0.0', 'v2.0.0-rc.1', 'v1.10.0', 'v1.9.0']);
    expect(a.latest).toBe('v2.0.0');
  });

  it('unassigns a stage and lets an older assignment of another version show again', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v2.0.0', C2, 1), tag('m#prod#1', C1, 10), tag('m#prod#2', C2, 20), tag('m#prod!#3', C2, 30)]);
    expect(view(a).stages).toEqual(['prod=v1.0.0']);
  });

  it('keeps nested full names with their directory', () => {
    const { artifacts } = foldRegistry([tag('project_a=model_a@v1.0.0', C1, 0), tag('model_a@v2.0.0', C2, 0)]);
    expect(artifacts.map((a) => `${a.name}:${a.latest}`)).toEqual(['model_a:v2.0.0', 'project_a:model_a:v1.0.0']);
  });

  it('lists history newest first with GTO priorities for same-second tags', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m#dev#1', C1, 0), tag('m@deprecated', C1, 0)]);
    expect(a.history.map((e) => e.tag)).toEqual(['m#dev#1', 'm@v1.0.0', 'm@deprecated']);
    expect(a.history[0]).toMatchObject({ kind: 'ASSIGNED', version: 'v1.0.0', stage: 'dev' });
  });

  it('takes author and date of a version from its newest registration', () => {
    const a = only([tag('m@v1.0.0', C1, 0, 'Alice'), tag('m@v1.0.0!', C1, 10, 'Bob'), tag('m@v1.0.0#3', C1, 20, 'Carol')]);
    expect(a.versions[0]).toMatchObject({ author: { name: 'Carol' }, tag: 'm@v1.0.0#3', activatedAt: '2024-01-01T00:00:00+00:00' });
  });

  it('shows the lower SemVer version for same-second assignments, as GTO reverses its ascending sort', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m#prod#1', C1, 5), tag('m@v1.1.0', C2, 5), tag('m#prod#2', C2, 5)]);
    expect(view(a).stages).toEqual(['prod=v1.0.0']);
    expect(view(a).all).toEqual(['prod=v1.0.0', 'prod=v1.1.0']);
  });

  it('knows latest by name and commit when a name was registered at two commits and one deregistered', () => {
    const a = only([tag('m@v1.0.0', C1, 0), tag('m@v1.0.0#2', C2, 86400), tag('m@v1.0.0!#3', C2, 172800)]);
    expect(a.latest).toBe('v1.0.0');
    expect(a.latestCommit).toBe(C1);
    expect(a.versions.map((v) => `${v.commit[0]}${v.active ? '' : '(inactive)'}`)).toEqual(['1', '2(inactive)']);
  });

  it('takes author and date of a SHA-named version from its newest stage tag', () => {
    const a = only([tag('m#dev#1', C2, 10, 'Alice'), tag('m#prod#2', C2, 20, 'Bob')]);
    expect(a.versions[0]).toMatchObject({ name: C2, author: { name: 'Bob' }, tag: 'm#prod#2' });
  });

  it('folds 50,000 tags of one artifact in a few seconds at most (no step scans every version per tag)', () => {
    const tags: RegistryTag[] = [];
    for (let i = 0; i < 25_000; i += 1) {
      const commit = i.toString(16).padStart(40, '0');
      tags.push(tag(`m@v1.${i}.0`, commit, i * 60), tag(`m#prod#${i + 1}`, commit, i * 60 + 30));
    }
    const started = performance.now();
    const a = only(tags);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(a.latest).toBe('v1.24999.0');
    expect(view(a).stages).toEqual(['prod=v1.24999.0']);
  });

  it('gives the same result whatever order the tags are listed in', () => {
    const tags = [tag('m@v1.0.0', C1, 0), tag('m#prod#1', C1, 5), tag('m@v1.1.0', C2, 5), tag('m#prod#2', C2, 5), tag('m#dev#3', C1, 9)];
    const forward = foldRegistry(tags);
    expect(foldRegistry([...tags].reverse())).toEqual(forward);
  });
});
