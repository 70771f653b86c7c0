import type { ApolloServerPlugin } from '@apollo/server';
import { validate } from 'graphql';
import { limitError, requestLimitRules } from '../graphql/limits/index.js';
import type { Limits } from '../graphql/limits/index.js';

/**
 * The limits that need the request itself, for Apollo Server: page size and cost (they
 * read the variables, so they run at `didResolveOperation`, after Apollo's cached
 * validation), and the execution deadline. Past the deadline no further resolver starts
 * (each answers `TIMEOUT`), so a runaway query stops doing work; `createTimeoutGuard`
 * answers the client at the deadline even while a resolver is still waiting.
 */
export function createLimitsPlugin<TContext extends object>(limits: Limits): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const deadline = Date.now() + limits.timeoutMs;
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const errors = validate(schema, document, requestLimitRules(limits, { variables: request.variables, operationName: request.operationName ?? operationName }));
          // Apollo answers the first error thrown here; the rules put the most useful one first.
          if (errors[0]) throw errors[0];
        },
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (Date.now() > deadline) {
                throw limitError('TIMEOUT', `The operation ran longer than ${limits.timeoutMs} ms (limits.timeout) and was stopped at \`${info.parentType.name}.${info.fieldName}\`. Ask for less (smaller pages, fewer nested fields) or try again later.`, { limit: limits.timeoutMs, status: 504 });
              }
            },
          };
        },
      };
    },
  };
}
