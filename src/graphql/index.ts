// The GraphQL layer's public surface: the schema, the per-request context, error formatting.
export { buildSchema } from './buildSchema.js';
export { createFormatError } from './formatError.js';
export type { GraphQLContext, IndexControl, IndexControlStatus, TagToWrite, TagWriter } from './context.js';
