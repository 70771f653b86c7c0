import { expect } from '@jest/globals';
import { VersionProvenanceDocument } from '../__generated__/operations.js';
import type { VersionProvenanceQuery } from '../__generated__/operations.js';
import type { TestGateway } from './testGateway.js';

export type VersionProvenance = NonNullable<VersionProvenanceQuery['modelVersion']>;

/** A version's provenance (`schema/operations/provenance.graphql`), asserting the query answered without errors. */
export async function provenanceOf(gateway: TestGateway, ref: string): Promise<VersionProvenance> {
  const { data, errors } = await gateway.query(VersionProvenanceDocument, { ref });
  expect(errors).toBeUndefined();
  const version = data?.modelVersion;
  if (!version) throw new Error(`${ref} is not indexed`);
  return version;
}
