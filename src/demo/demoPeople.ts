import type { GitIdentity } from './repoWriter.js';

/** The people (and bot) who commit and tag in the demo repositories. */
export const DEMO_PEOPLE = {
  maya: { name: 'Maya Chen', email: 'maya.chen@acme.io' },
  daniel: { name: 'Daniel Okafor', email: 'daniel.okafor@acme.io' },
  priya: { name: 'Priya Raman', email: 'priya.raman@acme.io' },
  sam: { name: 'Sam Alvarez', email: 'sam.alvarez@acme.io' },
  ciBot: { name: 'acme-ci[bot]', email: 'ci-bot@acme.io' },
  hana: { name: 'Hana Kim', email: 'hana.kim@acme.io' },
  jonas: { name: 'Jonas Weber', email: 'jonas.weber@acme.io' },
  tom: { name: 'Tom Becker', email: 'tom.becker@acme.io' },
  elena: { name: 'Elena Petrova', email: 'elena.petrova@research.acme.io' },
  kenji: { name: 'Kenji Sato', email: 'kenji.sato@research.acme.io' },
} as const satisfies Record<string, GitIdentity>;
