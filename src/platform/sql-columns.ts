// Raw SQL that reads whole model rows (several models in one statement): each column selected
// under "<prefix>.<field>" and split back into one object per prefix. Prisma's raw queries already
// convert each value by its column type (int8 → bigint, timestamptz → Date, jsonb → objects), so
// what `pickRow` returns has the model's shape. Columns follow the schema's convention: a field's
// column is its name in snake_case (test/unit/sql-columns.test.ts checks every model used here).
import { Prisma } from "../generated/prisma/client.js";

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `a.merchant_id AS "a.merchantId", …` for every field of a model (its Prisma `…ScalarFieldEnum`). */
export function columnsAs(alias: string, fields: Record<string, string>): Prisma.Sql {
  return Prisma.raw(Object.keys(fields).map((f) => `${alias}.${snake(f)} AS "${alias}.${f}"`).join(", "));
}

/** The fields selected by `columnsAs(alias, …)`, as one object; null when the row had none (a LEFT JOIN's miss). */
export function pickRow<T>(row: Record<string, unknown>, alias: string, fields: Record<string, string>): T | null {
  const out: Record<string, unknown> = {};
  let present = false;
  for (const f of Object.keys(fields)) {
    const value = row[`${alias}.${f}`];
    out[f] = value;
    if (f === "id" && value != null) present = true;
  }
  return present ? (out as T) : null;
}
