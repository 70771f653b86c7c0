import { Field, InputType } from 'type-graphql';
import { RegistryEventKind } from './registry.types.js';

@InputType({ description: 'Narrows `Subscription.registryEvents`. All given conditions must hold.' })
export class RegistryEventFilter {
  @Field(() => String, { nullable: true, description: 'Repository ref, e.g. `github:acme/churn`.' })
  repository?: string;
  @Field(() => String, { nullable: true, description: 'Model ref, e.g. `github:acme/churn:churn`.' })
  model?: string;
  @Field(() => [RegistryEventKind], { nullable: true, description: 'Any of these kinds (absent or empty: every kind).' })
  kinds?: RegistryEventKind[];
  @Field(() => String, { nullable: true, description: 'Only assignments and unassignments of this stage.' })
  stage?: string;
  @Field(() => String, {
    nullable: true,
    description:
      'The `id` of the last event received: first the kept events after it (the gateway keeps about the newest 10,000), then live ones, with nothing missed or repeated in between. An id older than the kept events is a NOT_FOUND error.',
  })
  since?: string;
}
