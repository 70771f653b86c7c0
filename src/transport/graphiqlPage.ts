import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/** The query GraphiQL opens with: what a newcomer wants to see first. */
export const DEFAULT_QUERY = `# Models with their latest version and stages.
# Run it with the button or Ctrl+Enter.
query Models {
  models(first: 20) {
    totalCount
    nodes {
      ref
      description
      latestVersion {
        version
        createdAt
        author { name }
      }
      stages {
        stage
        version { version }
      }
    }
  }
}
`;

/**
 * GraphiQL as one HTML page with its JavaScript inlined from the installed package, so it
 * works with no internet access. Subscriptions go over graphql-ws to the same endpoint
 * (GraphiQL turns the page's `http(s)://…/graphql` into `ws(s)://…/graphql`).
 */
export function graphiqlPage(endpoint: string): string {
  return renderGraphiQL({ endpoint, title: 'Modelgate GraphiQL', defaultQuery: DEFAULT_QUERY, subscriptionsProtocol: 'WS' } as Parameters<typeof renderGraphiQL>[0]);
}
