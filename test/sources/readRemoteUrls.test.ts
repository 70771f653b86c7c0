import { describe, expect, it } from '@jest/globals';
import { parseRemoteUrls } from '../../src/sources/local/readRemoteUrls.js';

describe('parseRemoteUrls (a Git config file)', () => {
  it('reads the url of every remote, whatever the case of section and key, quoted or with a comment', () => {
    const config = [
      '[core]',
      '\turl = not-a-remote',
      '[remote "origin"]',
      '\turl = https://github.com/acme/churn.git',
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      '[REMOTE "mirror"]',
      '\tURL = "git@gitlab.example.com:acme/churn.git" ; the mirror',
      '[branch "main"]',
      '\tremote = origin',
      '\turl = nope',
    ].join('\n');
    expect(parseRemoteUrls(config)).toEqual(['https://github.com/acme/churn.git', 'git@gitlab.example.com:acme/churn.git']);
  });

  it('gives nothing for a config without remotes or for garbage', () => {
    expect(parseRemoteUrls('[core]\n\tbare = false\n')).toEqual([]);
    expect(parseRemoteUrls('\u0000\u0001 = [[[')).toEqual([]);
  });
});
