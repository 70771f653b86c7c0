import { describe, expect, it } from '@jest/globals';
import { parseDvcFile } from '../../src/parsing/index.js';
import { DVC_IMPORT } from './fixtures.js';

describe('parseDvcFile', () => {
  it('reads a dvc add file with its path relative to the .dvc file', () => {
    const text = 'outs:\n- md5: 14d187e749ee5614e105741c719fa185.dir\n  size: 18999874\n  nfiles: 183\n  hash: md5\n  path: pool_data\n';
    expect(parseDvcFile(text, 'data/pool_data.dvc')).toStrictEqual({
      value: {
        file: 'data/pool_data.dvc',
        outs: [
          {
            path: 'pool_data',
            repoPath: 'data/pool_data',
            md5: '14d187e749ee5614e105741c719fa185.dir',
            dvc3: true,
            isDir: true,
            size: 18999874,
            nfiles: 183,
          },
        ],
        deps: [],
        frozen: false,
      },
      problems: [],
    });
  });

  it('reads a dvc import with the source repository and its pinned commit', () => {
    const { value, problems } = parseDvcFile(DVC_IMPORT, 'data/data.xml.dvc');
    expect(problems).toEqual([]);
    expect(value.md5).toBe('f5ea021eddd7b1df6de80b904cba1da6');
    expect(value.frozen).toBe(true);
    expect(value.deps).toStrictEqual([
      {
        path: 'get-started/data.xml',
        repoPath: 'get-started/data.xml',
        dvc3: false,
        isDir: false,
        repo: { url: 'https://github.com/iterative/dataset-registry', revLock: 'f59388cd04276e75d70b2136597aaa27e7937cc3' },
      },
    ]);
    expect(value.outs[0]).toMatchObject({ repoPath: 'data/data.xml', md5: '22a1a2931c8370d3aeedd7183606fd7f', dvc3: true });
  });

  it('keeps the requested rev of an import next to rev_lock', () => {
    const text = 'deps:\n- path: models/model.pkl\n  repo:\n    url: git@github.com:acme/models.git\n    rev: v1.2.0\n    rev_lock: 0123456789abcdef0123456789abcdef01234567\nouts:\n- path: model.pkl\n';
    expect(parseDvcFile(text, 'model.pkl.dvc').value.deps[0]?.repo).toStrictEqual({
      url: 'git@github.com:acme/models.git',
      rev: 'v1.2.0',
      revLock: '0123456789abcdef0123456789abcdef01234567',
    });
  });

  it('reads a dvc import-url file, keeping the URL as the dep path', () => {
    const text = `md5: 5c8b5c3e8c9a4e4c2f0b8f6d6e1d0a9b
frozen: true
deps:
- md5: 0b59e1d69d4ff3ed52d69b3c17e1c6f2
  size: 4096
  path: https://data.example.com/files/iris.csv
outs:
- md5: 0b59e1d69d4ff3ed52d69b3c17e1c6f2
  size: 4096
  hash: md5
  path: iris.csv
`;
    const { value } = parseDvcFile(text, 'data/iris.csv.dvc');
    expect(value.deps[0]).toMatchObject({ path: 'https://data.example.com/files/iris.csv', repoPath: 'https://data.example.com/files/iris.csv' });
    expect(value.outs[0]?.repoPath).toBe('data/iris.csv');
  });

  it('reads remote, push and cache of an output', () => {
    const text = 'outs:\n- path: big.bin\n  md5: 22a1a2931c8370d3aeedd7183606fd7f\n  remote: backup\n  push: false\n  cache: true\n';
    expect(parseDvcFile(text, 'big.bin.dvc').value.outs[0]).toMatchObject({ remote: 'backup', push: false, cache: true });
  });

  it('honours a legacy wdir', () => {
    const text = 'wdir: ../data\nouts:\n- path: raw.csv\n  md5: 22a1a2931c8370d3aeedd7183606fd7f\n';
    expect(parseDvcFile(text, 'dvcfiles/raw.csv.dvc').value.outs[0]?.repoPath).toBe('data/raw.csv');
  });

  it.each([
    ['a list at the top level', '- outs\n', "expected a mapping with 'outs'"],
    ['outs as a mapping', 'outs: {path: a}\n', 'outs: expected a list'],
    ['no outs', 'md5: 22a1a2931c8370d3aeedd7183606fd7f\n', "no 'outs'"],
    ['an out without a path', 'outs:\n- md5: 22a1a2931c8370d3aeedd7183606fd7f\n', "'path' is required"],
    ['a repo without url', 'outs: []\ndeps:\n- path: a\n  repo: {rev: main}\n', 'without a url'],
    ['frozen as a string', 'outs: []\nfrozen: "yes"\n', 'frozen: expected true or false'],
    ['md5 as a number', 'outs: []\nmd5: 123\n', 'md5: expected a string'],
    ['wdir as a list', 'outs: []\nwdir: [a]\n', 'wdir: expected a directory path'],
    ['a YAML syntax error', 'outs:\n- path: "a\n', 'YAML syntax error'],
  ])('reports %s', (_case, text, message) => {
    const { problems } = parseDvcFile(text, 'x.dvc');
    expect(problems).toEqual([expect.objectContaining({ file: 'x.dvc', message: expect.stringContaining(message) })]);
  });

  it('keeps the other outputs when one is broken', () => {
    const text = 'outs:\n- path: a.csv\n- 42\n- path: b.csv\n';
    const { value, problems } = parseDvcFile(text, 'x.dvc');
    expect(value.outs.map((o) => o.repoPath)).toEqual(['a.csv', 'b.csv']);
    expect(problems).toEqual([{ file: 'x.dvc', line: 3, message: expect.stringContaining('outs[1]') }]);
  });
});
