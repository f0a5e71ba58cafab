// Generated files are checked in; they must match what the code generates today.
import "reflect-metadata";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildPaygraphSchema, printSchemaSDL } from "../../src/server/schema.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("generated files", () => {
  it("schema/schema.graphql matches the type-graphql classes (run `npm run generate`)", async () => {
    const emitted = printSchemaSDL(await buildPaygraphSchema());
    expect(readFileSync(path.join(ROOT, "schema/schema.graphql"), "utf8")).toBe(emitted);
  });

  it("the typed operations are generated once, into the client the tests use too", () => {
    const codegen = readFileSync(path.join(ROOT, "codegen.yml"), "utf8");
    const outputs = [...(codegen.split(/^generates:\n/m)[1] ?? "").matchAll(/^ {2}(\S[^:]*):$/gm)].map((m) => m[1]);
    expect(outputs).toEqual(["client/src/generated/graphql.ts"]);
  });

  it("client/src/generated/graphql.ts matches schema/operations and the schema (run `npm run generate`)", async () => {
    const result = await promisify(execFile)(path.join(ROOT, "node_modules/.bin/graphql-codegen"), ["--config", "codegen.yml", "--check"], { cwd: ROOT })
      .then(() => "in sync")
      .catch((err: { stdout?: string; stderr?: string }) => `drift: ${err.stdout ?? ""}${err.stderr ?? ""}`);
    expect(result).toBe("in sync");
  });
});
