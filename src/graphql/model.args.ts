import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Narrows `Query.models`. All given conditions must hold.' })
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive text found in the ref, name, description or labels.' })
  query?: string;
  @Field(() => String, { nullable: true, description: 'Repository ref, e.g. `github:acme/churn`.' })
  repository?: string;
  @Field(() => String, { nullable: true, description: 'Artifact type from `dvc.yaml` (`model`, `dataset`, …).' })
  type?: string;
  @Field(() => [String], { nullable: true, description: 'Models carrying every one of these labels.' })
  labels?: string[];
  @Field(() => String, { nullable: true, description: 'Models with a version currently in this stage.' })
  stage?: string;
  @Field(() => Boolean, { nullable: true, description: 'Include deprecated models (default false).' })
  includeDeprecated?: boolean;
}

@InputType({ description: 'Narrows `Query.repositories`.' })
export class RepositoryFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive text found in the ref.' })
  query?: string;
  @Field(() => String, { nullable: true, description: 'Source name (`github`, `gitlab`, `local`, or a configured name).' })
  source?: string;
}
