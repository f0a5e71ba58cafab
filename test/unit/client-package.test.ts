// @paygraph/client is published on its own and runs in browsers and React Native: its runtime
// code imports only its peers (graphql, graphql-ws) and itself, never Node's modules, and the
// build (`npm run build`) leaves an importable ESM package in client/dist.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const CLIENT = path.resolve(import.meta.dirname, "../../client");

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);

describe("@paygraph/client", () => {
  it("imports nothing but its peers, its types package and itself", () => {
    const allowed = /^(\.\.?\/|graphql$|graphql-ws\/client$|@graphql-typed-document-node\/core$)/;
    const imports = sources(path.join(CLIENT, "src")).flatMap((file) =>
      ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((i) => `${path.basename(file)}: ${i.fileName}`));
    expect(imports.length).toBeGreaterThan(5);
    expect(imports.filter((i) => !allowed.test(i.split(": ")[1]!))).toEqual([]);
  });

  it("declares itself as a publishable ESM package with its peers", () => {
    const pkg = JSON.parse(readFileSync(path.join(CLIENT, "package.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(pkg).toMatchObject({
      name: "@paygraph/client", type: "module",
      exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" } },
      peerDependencies: { graphql: expect.any(String), "graphql-ws": expect.any(String), ws: expect.any(String) },
      peerDependenciesMeta: { ws: { optional: true } },
    });
  });

  it("is built into client/dist with its typed documents", async () => {
    const built = (await import(path.join(CLIENT, "dist/index.js"))) as Record<string, unknown>;
    expect(typeof built.createClient).toBe("function");
    expect(typeof built.PaygraphError).toBe("function");
    expect(built.CreatePaymentDocument).toMatchObject({ kind: "Document" });
  });
});
