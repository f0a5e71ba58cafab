// src/platform/sql-columns.ts names a field's column by snake_case: true of every model whose rows
// raw SQL reads or writes whole (the attempt runner's read; confirm's and create's inserts), checked against the schema.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Prisma } from "../../src/generated/prisma/client.js";

const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
const snake = (f: string): string => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function columns(model: string): Map<string, string> {
  const body = new RegExp(`^model ${model} \\{([\\s\\S]*?)^\\}`, "m").exec(schema)?.[1] ?? "";
  const out = new Map<string, string>();
  for (const line of body.split("\n")) {
    const m = /^\s+(\w+)\s+\w+[?[\]]*\s*(.*)$/.exec(line);
    if (!m || line.trim().startsWith("//") || line.trim().startsWith("@@")) continue;
    out.set(m[1]!, /@map\("([^"]+)"\)/.exec(m[2] ?? "")?.[1] ?? m[1]!);
  }
  return out;
}

describe("columnsAs naming", () => {
  for (const [model, fields] of [
    ["Payment", Prisma.PaymentScalarFieldEnum],
    ["PaymentAttempt", Prisma.PaymentAttemptScalarFieldEnum],
    ["PaymentMethod", Prisma.PaymentMethodScalarFieldEnum],
  ] as const) {
    it(`${model}: every scalar field's column is its snake_case name`, () => {
      const cols = columns(model);
      for (const f of Object.keys(fields)) expect(cols.get(f), `${model}.${f}`).toBe(snake(f));
    });
  }
});
