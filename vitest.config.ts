import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql ships index.mjs and index.js; without one alias the schema would be built from two
  // copies ("Cannot use GraphQLObjectType from another module or realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files each start their own server processes on their own database.
    pool: "forks",
    maxWorkers: 3,
  },
});
