// The schema's contract with its clients, checked by @graphql-inspector: every operation in
// schema/operations validates against schema/schema.graphql (no errors, nothing deprecated), and
// every breaking change since the last release (schema/released.graphql) is one CHANGELOG.md's
// "Unreleased" section names under "Breaking". A breaking change is a deliberate, written one.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { buildSchema, Source } from "graphql";
import { CriticalityLevel, diff, validate } from "@graphql-inspector/core";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const current = buildSchema(read("schema/schema.graphql"));

/** The schema paths named first on each line of the Unreleased › Breaking list: "- `Payment.attempts`: …". */
function acceptedBreakingChanges(): string[] {
  const unreleased = read("CHANGELOG.md").split(/^## /m).find((section) => section.startsWith("Unreleased")) ?? "";
  const breaking = unreleased.split(/^### /m).find((section) => section.startsWith("Breaking")) ?? "";
  return [...breaking.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]!);
}

describe("schema contract", () => {
  it("validates every operation of schema/operations against the schema", () => {
    const dir = path.join(ROOT, "schema/operations");
    const sources = readdirSync(dir).filter((f) => f.endsWith(".graphql")).map((f) => new Source(readFileSync(path.join(dir, f), "utf8"), f));
    expect(sources.length).toBeGreaterThan(10);
    const invalid = validate(current, sources).map((doc) => ({ file: doc.source.name, errors: [...doc.errors, ...doc.deprecated].map((e) => e.message) }));
    expect(invalid).toEqual([]);
  });

  it("breaks nothing since schema/released.graphql that CHANGELOG.md does not name", async () => {
    const changes = await diff(buildSchema(read("schema/released.graphql")), current);
    const breaking = [...new Set(changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => c.path ?? c.message))].sort();
    expect(breaking, "breaking changes CHANGELOG.md's Unreleased › Breaking list must name").toEqual([...new Set(acceptedBreakingChanges())].sort());
  });
});
