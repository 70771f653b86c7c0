import { describe, expect, it } from '@jest/globals';
import { repositoryKey } from '../../src/registry/index.js';

describe('repositoryKey', () => {
  it.each([
    ['https://github.com/acme/churn', 'github.com/acme/churn'],
    ['https://github.com/Acme/Churn.git', 'github.com/acme/churn'],
    ['https://github.com/acme/churn/', 'github.com/acme/churn'],
    ['https://token@github.com/acme/churn.git', 'github.com/acme/churn'],
    ['git@github.com:acme/churn.git', 'github.com/acme/churn'],
    ['git@github.com:acme/churn', 'github.com/acme/churn'],
    ['ssh://git@github.com/acme/churn.git', 'github.com/acme/churn'],
    ['ssh://git@github.com:22/acme/churn', 'github.com/acme/churn'],
    ['git://github.com/acme/churn.git', 'github.com/acme/churn'],
    ['https://gitlab.example.com/group/sub/project.git', 'gitlab.example.com/group/sub/project'],
    ['git@gitlab.example.com:group/sub/project.git', 'gitlab.example.com/group/sub/project'],
    ['https://gitlab.example.com:8443/group/project', 'gitlab.example.com/group/project'],
    ['file:///srv/git/vision.git', 'file/srv/git/vision'],
    ['/srv/git/vision', 'file/srv/git/vision'],
    ['/srv/git/vision.git/', 'file/srv/git/vision'],
    ['  https://github.com/acme/churn  ', 'github.com/acme/churn'],
  ])('%s → %s', (url, key) => {
    expect(repositoryKey(url)).toBe(key);
  });

  it.each([[''], ['../training'], ['training'], ['https://github.com/'], ['https://'], ['C:\\repos\\x'], ['git@github.com:']])('%j names no repository', (url) => {
    expect(repositoryKey(url)).toBeUndefined();
  });
});
