// Limits on what one GraphQL operation may ask: the rules, the cost estimate, the refusals.
export { DEFAULT_LIMITS, LIMIT_CODES } from './Limits.js';
export type { LimitCode, Limits } from './Limits.js';
export { limitCodeOf, limitError } from './limitError.js';
export { DEFAULT_PAGE_SIZE, NoIntrospectionRule, createAliasRule, createCostRule, createDepthRule, createPageSizeRule, documentLimitRules, requestLimitRules } from './limitRules.js';
export { LIST_SIZE_ESTIMATE, estimateCost } from './estimateCost.js';
export type { CostOptions } from './estimateCost.js';
export { measureDepth } from './measureDepth.js';
