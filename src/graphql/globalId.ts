import { InputError } from '../errors.js';

/** The node types a global ID can name. */
export type NodeTypeName = 'Repository' | 'Model' | 'ModelVersion';

const TYPES: readonly NodeTypeName[] = ['Repository', 'Model', 'ModelVersion'];

/** Opaque, GitHub-style global ID: base64 of `Type:ref`. */
export function toGlobalId(type: NodeTypeName, ref: string): string {
  return Buffer.from(`${type}:${ref}`, 'utf8').toString('base64');
}

/** Decodes a global ID; an ID that is not one of ours is an InputError. */
export function fromGlobalId(id: string): { type: NodeTypeName; ref: string } {
  const text = Buffer.from(id, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const type = text.slice(0, colon) as NodeTypeName;
  if (colon <= 0 || !TYPES.includes(type) || Buffer.from(text, 'utf8').toString('base64') !== id) {
    throw new InputError(`"${id}" is not a Modelgate node ID; use the \`id\` field of a Repository, Model or ModelVersion.`);
  }
  return { type, ref: text.slice(colon + 1) };
}
