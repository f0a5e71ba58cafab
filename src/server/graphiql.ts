// The playground: GraphiQL with every script, style and worker inlined by
// @graphql-yoga/render-graphiql, so the page works with no internet (nothing from a CDN).
// Headers typed once are kept in the browser (shouldPersistHeaders); subscriptions use graphql-ws.
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

const EXAMPLE = `# Paste your secret key in the Headers tab below, then run:
mutation Create {
  createPayment(input: { amount: "12.50", currency: "USD" }) {
    payment { id status amount { amount currency } }
  }
}

# subscription Watch { paymentUpdated { id status version } }
`;

let page: string | undefined;

export function graphiqlPage(): string {
  // ~9 MB of inlined assets: render once per process.
  page ??= renderGraphiQL({
    title: "paygraph playground",
    endpoint: "/graphql",
    subscriptionsProtocol: "WS",
    headers: JSON.stringify({ Authorization: "Bearer sk_test_…" }, null, 2),
    shouldPersistHeaders: true,
    defaultQuery: EXAMPLE,
    defaultEditorToolsVisibility: "headers",
  });
  return page;
}
