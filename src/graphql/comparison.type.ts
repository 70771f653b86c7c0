import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { DataFile } from './provenance.type.js';

/*
 * Comparing versions (`ModelVersion.compare`) and following a metric across versions
 * (`Model.metricTrend`). Leaf fields only; the versions themselves are field resolvers in
 * provenance.resolver.ts.
 */

export enum DiffStatus {
  ADDED = 'added',
  REMOVED = 'removed',
  MODIFIED = 'modified',
  UNCHANGED = 'unchanged',
}
registerEnumType(DiffStatus, {
  name: 'DiffStatus',
  description: 'How a metric or param differs between two versions.',
  valuesConfig: {
    ADDED: { description: 'Only in the version compared to (`to`).' },
    REMOVED: { description: 'Only in the version compared from.' },
    MODIFIED: { description: 'In both, with different values.' },
    UNCHANGED: { description: 'In both, equal (listed only with `all: true`).' },
  },
});

@ObjectType({ description: 'A metric in two versions, as a row of `dvc metrics diff`.' })
export class MetricDiff {
  @Field(() => String, { description: 'Metrics file from the repository root.' }) path!: string;
  @Field(() => String, { description: 'Dotted key.' }) key!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Value in the version compared from (null when absent).' }) from?: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Value in the version compared to (null when absent).' }) to?: unknown;
  @Field(() => Float, { nullable: true, description: '`to − from`, when both are numbers.' }) change?: number;
  @Field(() => DiffStatus) status!: DiffStatus;
}

@ObjectType({ description: 'A param in two versions, as a row of `dvc params diff`.' })
export class ParamDiff {
  @Field(() => String, { description: 'Params file from the repository root.' }) path!: string;
  @Field(() => String, { description: 'Dotted key.' }) key!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Value in the version compared from (null when absent).' }) from?: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Value in the version compared to (null when absent).' }) to?: unknown;
  @Field(() => Float, { nullable: true, description: '`to − from`, when both are numbers.' }) change?: number;
  @Field(() => DiffStatus) status!: DiffStatus;
}

@ObjectType({ description: 'Metric and param differences between two versions (`dvc metrics diff` / `dvc params diff`).' })
export class VersionComparison {
  @Field(() => [MetricDiff], { description: 'Changed metrics (all of them with `all: true`), by file and key.' }) metrics!: MetricDiff[];
  @Field(() => [ParamDiff], { description: 'Changed params (all of them with `all: true`), by file and key.' }) params!: ParamDiff[];
  @Field(() => [DataFile], {
    description: 'Metrics and params files of the version compared from that could not be read from Git (in DVC storage, missing, unreadable): their keys are not compared.',
  })
  fromUnavailable!: DataFile[];
  @Field(() => [DataFile], { description: 'The same for the version compared to.' }) toUnavailable!: DataFile[];
}

@ObjectType({ description: "One version's value of a metric, a point of `Model.metricTrend`." })
export class MetricPoint {
  @Field(() => String, { description: 'Version name (`v1.2.3`).' }) versionName!: string;
  @Field(() => String, { description: 'When the version was registered, ISO 8601.' }) createdAt!: string;
  @Field(() => String, { nullable: true, description: 'Metrics file the value comes from (null when the version lacks the metric).' }) path?: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value, or null when the version lacks the metric.' }) value?: unknown;
  @Field(() => Float, { nullable: true, description: 'The value as a number, when it is one (for charts).' }) numericValue?: number;
}
