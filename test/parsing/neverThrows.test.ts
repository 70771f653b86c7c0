import { describe, expect, it } from '@jest/globals';
import {
  parseDataFile,
  parseDvcConfig,
  parseDvcFile,
  parseDvcLock,
  parseDvcYaml,
  parseMetrics,
  parseParams,
} from '../../src/parsing/index.js';
import type { Parsed } from '../../src/parsing/index.js';

const PARSERS: [string, (text: string, file: string) => Parsed<unknown>, string][] = [
  ['parseDvcYaml', parseDvcYaml, 'dvc.yaml'],
  ['parseDvcLock', parseDvcLock, 'dvc.lock'],
  ['parseDvcFile', parseDvcFile, 'data.xml.dvc'],
  ['parseDvcConfig', parseDvcConfig, '.dvc/config'],
  ['parseDataFile (json)', parseDataFile, 'metrics.json'],
  ['parseMetrics (toml)', parseMetrics, 'metrics.toml'],
  ['parseParams (yaml)', parseParams, 'params.yaml'],
  ['parseParams (py)', parseParams, 'params.py'],
];

const HOSTILE: [string, string][] = [
  ['binary bytes', '\u0000\u0001\u0002\uFFFD\uD800garbage'],
  ['an unclosed flow mapping', '{a: [1, 2'],
  ['tabs for indentation', 'stages:\n\ttrain:\n\t\tcmd: x\n'],
  ['a bare anchor alias', '*undefined_alias\n'],
  ['YAML tags from Python', 'a: !!python/object:os.system ["rm -rf /"]\n'],
  ['a document stream', '---\na: 1\n---\nb: 2\n'],
  ['every field with the wrong type', "schema: 2\nstages: 1\nartifacts: 2\nouts: 3\ndeps: 4\nmetrics: 5\nparams: 6\nplots: 7\nvars: 8\nfrozen: 9\nmd5: []\n"],
  ['nested lists where mappings belong', 'artifacts: [[[]]]\nstages: [[{}]]\nouts: [[]]\n'],
  ['a huge key', `${'k'.repeat(1_000_000)}: 1\n`],
];

describe('parsers on hostile input', () => {
  it.each(PARSERS.flatMap(([name, parse, file]) => HOSTILE.map(([what, text]) => [name, what, parse, file, text] as const)))(
    '%s returns problems rather than throwing on %s',
    (_name, _what, parse, file, text) => {
      const result = parse(text, file);
      expect(Array.isArray(result.problems)).toBe(true);
      for (const problem of result.problems) {
        expect(problem.file).toBe(file);
        expect(typeof problem.message).toBe('string');
      }
    },
  );
});
