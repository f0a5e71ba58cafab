import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships index.mjs and index.js; without one alias the schema would be built from two
  // copies ("Cannot use GraphQLObjectType from another module or realm").
  // The dashboard's modules under test import the typed client by its package name (as the page does).
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: require.resolve("graphql") },
      { find: /^@paygraph\/client$/, replacement: new URL("./client/src/index.ts", import.meta.url).pathname },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files each start their own server processes on their own database.
    pool: "forks",
    maxWorkers: 3,
    // The chaos test (test/integration/chaos.test.ts) kills processes and loads both cores for
    // about a minute: it runs alone, after everything else, so no other file's timeouts feel it.
    projects: [
      { extends: true, test: { name: "suite", include: ["test/**/*.test.ts"], exclude: ["test/integration/chaos.test.ts"], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "chaos", include: ["test/integration/chaos.test.ts"], sequence: { groupOrder: 1 } } },
    ],
  },
});
