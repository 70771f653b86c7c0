// Lint: typescript-eslint's recommended rules, plus the import zones that keep the data
// flow pointing toward the centre (STYLE.md, Layout).
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/__generated__/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { typescript: { project: './tsconfig.json' } } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-default-export': 'error',
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/registry', from: './src', except: ['./registry', './errors.ts'] },
            { target: './src/parsing', from: './src', except: ['./parsing', './registry', './errors.ts'] },
            { target: './src/sources', from: './src', except: ['./sources', './errors.ts', './log.ts'] },
            { target: './src/store', from: './src', except: ['./store', './registry', './errors.ts', './log.ts'] },
            { target: './src/indexer', from: ['./src/graphql', './src/transport', './src/main.ts', './src/cli.ts'] },
            { target: './src/graphql', from: ['./src/sources', './src/parsing', './src/transport', './src/indexer', './src/main.ts'] },
            { target: './src/transport', from: ['./src/sources', './src/parsing', './src/registry', './src/indexer'] },
            { target: './src/hosts', from: './src', except: ['./hosts', './sources/local', './errors.ts', './log.ts'] },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'jest.config.js'],
    rules: { 'import/no-default-export': 'off' },
  },
);
