import { describe, expect, it } from '@jest/globals';
import { compareVersionsDescending, isSemverName } from '../../src/registry/index.js';

const sorted = (names: string[]): string[] => [...names].sort(compareVersionsDescending);

describe('compareVersionsDescending (GTO sort_versions, python-semver precedence)', () => {
  it('orders the SemVer 2.0 specification example, highest first', () => {
    const ascending = ['v1.0.0-alpha', 'v1.0.0-alpha.1', 'v1.0.0-alpha.beta', 'v1.0.0-beta', 'v1.0.0-beta.2', 'v1.0.0-beta.11', 'v1.0.0-rc.1', 'v1.0.0'];
    const shuffled = ['v1.0.0-beta', 'v1.0.0', 'v1.0.0-alpha.1', 'v1.0.0-rc.1', 'v1.0.0-alpha', 'v1.0.0-beta.11', 'v1.0.0-alpha.beta', 'v1.0.0-beta.2'];
    expect(sorted(shuffled)).toEqual([...ascending].reverse());
  });

  it('compares numbers of any size, as Python does, where JavaScript numbers would round', () => {
    expect(sorted(['v1.0.0', 'v9007199254740992.0.0', 'v18446744073709551616.0.0', 'v9007199254740993.0.0'])).toEqual([
      'v18446744073709551616.0.0',
      'v9007199254740993.0.0',
      'v9007199254740992.0.0',
      'v1.0.0',
    ]);
    expect(sorted(['v1.0.0-rc.9007199254740992', 'v1.0.0-rc.9007199254740993'])).toEqual(['v1.0.0-rc.9007199254740993', 'v1.0.0-rc.9007199254740992']);
  });

  it('ignores build metadata (equal precedence) and puts commit SHAs after every SemVer name, descending', () => {
    expect(compareVersionsDescending('v1.0.0+aaa', 'v1.0.0+zzz')).toBe(0);
    expect(sorted(['a'.repeat(40), 'v0.0.1', 'f'.repeat(40)])).toEqual(['v0.0.1', 'f'.repeat(40), 'a'.repeat(40)]);
  });

  it.each([
    ['v1.0.0', true],
    ['v1.0.0-rc.1+build.5', true],
    [`v1.0.0-${'a'.repeat(300)}`, true],
    ['1.0.0', false],
    ['v1.0', false],
    ['V1.0.0', false],
    ['v01.0.0', false],
    ['v1.0.0-01', false],
    ['v1.0.0-', false],
  ])('isSemverName(%j) is %j', (name, expected) => {
    expect(isSemverName(name)).toBe(expected);
  });
});
