// The playground: GraphiQL from @graphql-yoga/render-graphiql with every script, style and worker
// inlined, so the page works with no internet (nothing from a CDN). Headers typed once are kept in
// the browser (shouldPersistHeaders).
//
// The page brings its own fetcher, because a browser cannot set HTTP headers on a WebSocket:
// queries and mutations are POSTed with the Headers editor's content as HTTP headers, and
// subscriptions go over graphql-ws (the real client, inlined) with that same object as the
// connection_init payload, i.e. `connectionParams.Authorization`, which the server authenticates.
// Yoga's built-in WS fetcher would instead send an empty connection_init payload and put the
// headers in each subscribe message's `extensions.headers`, which the server does not read.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyReply } from "fastify";
import type { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { pageHeaders } from "./web-assets.js";
import { css, editorWorkerService, favicon, graphqlWorker, js, jsonWorker } from "@graphql-yoga/render-graphiql/graphiql";

type GraphiQLOptions = NonNullable<Parameters<typeof renderGraphiQL>[0]>;

const TITLE = "paygraph playground";
const ENDPOINT = "/graphql";

const EXAMPLE = `# Paste your secret key in the Headers tab below, then run:
mutation Create {
  createPayment(input: { amount: "12.50", currency: "USD" }) {
    payment { id status amount { amount currency } }
  }
}

# subscription Watch { paymentUpdated { id status version } }
`;

const OPTIONS = {
  title: TITLE,
  // ASCII only: a header value outside ISO-8859-1 (such as "…") makes fetch() throw, which would
  // fail the schema introspection on first load.
  headers: JSON.stringify({ Authorization: "Bearer sk_test_..." }, null, 2),
  shouldPersistHeaders: true,
  defaultQuery: EXAMPLE,
  defaultEditorToolsVisibility: "headers",
} satisfies GraphiQLOptions;

// Runs in the browser: GraphiQL calls fetcher(params, { headers, documentAST }) for every run,
// with `headers` parsed from the Headers editor at that moment.
const FETCHER = `(endpoint) => {
  const httpUrl = new URL(endpoint, location.href);
  const wsUrl = httpUrl.href.replace(/^http/, "ws");
  const operationType = (params, documentAST) => {
    const operations = (documentAST?.definitions ?? []).filter((d) => d.kind === "OperationDefinition");
    const operation = params.operationName
      ? operations.find((d) => d.name?.value === params.operationName)
      : operations.length === 1 ? operations[0] : undefined;
    return operation?.operation;
  };
  const asError = (err) => {
    if (err instanceof Error || Array.isArray(err)) return err;
    if (err && typeof err.code === "number") return new Error("WebSocket closed (" + err.code + (err.reason ? ": " + err.reason : "") + ")");
    return new Error("WebSocket error: could not reach " + wsUrl);
  };
  const overHttp = async (params, headers) => {
    const response = await fetch(httpUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/graphql-response+json, application/json", ...headers, "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new Error("HTTP " + response.status + " " + response.statusText + ": " + text.slice(0, 500));
    }
  };
  const overWebSocket = (params, headers) => ({
    subscribe(observer) {
      const client = graphqlWs.createClient({ url: wsUrl, connectionParams: headers, lazyCloseTimeout: 0, retryAttempts: 0 });
      const stop = client.subscribe(params, {
        next: (value) => observer.next(value),
        error: (err) => { void client.dispose(); observer.error(asError(err)); },
        complete: () => { void client.dispose(); observer.complete(); },
      });
      return { unsubscribe: () => { stop(); void client.dispose(); } };
    },
  });
  return (params, opts) => {
    const headers = opts?.headers ?? {};
    return operationType(params, opts?.documentAST) === "subscription" ? overWebSocket(params, headers) : overHttp(params, headers);
  };
}`;

function graphqlWsClient(): string {
  const pkg = createRequire(import.meta.url).resolve("graphql-ws/package.json");
  return readFileSync(path.join(path.dirname(pkg), "umd/graphql-ws.min.js"), "utf8");
}

let page: { html: string; csp: string } | undefined;

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/**
 * The page, and the Content-Security-Policy it is sent with. Its scripts are inline (nothing may
 * come from a CDN), so the policy allows exactly those two, by their SHA-256, and no other script:
 * nothing injected runs on this origin, which also serves the dashboard (whose session sits in
 * localStorage). Monaco's workers start from blob: URLs and it sets styles inline.
 */
export function graphiqlPage(): { html: string; csp: string } {
  if (page) return page;
  // ~9 MB of inlined assets: rendered once per process. The template follows render-graphiql's own.
  const wsScript = `
      ${graphqlWsClient()}
`;
  const appScript = `
      function prepareBlob(workerContent) {
        const blob = new Blob([workerContent], { type: "application/javascript" });
        return URL.createObjectURL(blob);
      }
      const workers = {
        editorWorkerService: prepareBlob(${JSON.stringify(editorWorkerService)}),
        json: prepareBlob(${JSON.stringify(jsonWorker)}),
        graphql: prepareBlob(${JSON.stringify(graphqlWorker)}),
      };
      self["MonacoEnvironment"] = {
        globalAPI: false,
        getWorkerUrl: function (moduleId, label) {
          return workers[label];
        },
      };
      ${js};
      YogaGraphiQL.renderYogaGraphiQL(
        window.document.querySelector("#root"),
        { ...${JSON.stringify(OPTIONS)}, fetcher: (${FETCHER})(${JSON.stringify(ENDPOINT)}) },
      );
`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${TITLE}</title>
    <link rel="icon" href="${favicon}" />
    <style>
      ${css}
    </style>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>${wsScript}</script>
    <script>${appScript}</script>
  </body>
</html>
`;
  const csp = [
    "default-src 'none'", `script-src ${sha256(wsScript)} ${sha256(appScript)}`, "worker-src blob:", "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'", "img-src 'self' data:", "font-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join("; ");
  page = { html, csp };
  return page;
}

/** The playground under its own policy, with the headers every page of paygraph's carries. */
export function sendGraphiql(reply: FastifyReply): FastifyReply {
  const { html, csp } = graphiqlPage();
  return pageHeaders(reply, csp).header("x-frame-options", "DENY").send(html);
}
