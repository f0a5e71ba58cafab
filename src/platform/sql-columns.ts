// Raw SQL that reads whole model rows (several models in one statement): each column selected
// under "<prefix>.<field>" and split back into one object per prefix; and writes one (`rowInsertSql`). Prisma's raw queries already
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

/** A model row's value as JSON text that PostgreSQL's input functions read back exactly (bytea as hex). */
function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  return value;
}

/**
 * `INSERT INTO table (every field's column) SELECT … FROM from`, for a statement that writes a whole
 * model row together with others (a CTE of it: written only if `from` returns a row). The row
 * travels as one JSON parameter that `json_populate_record` types column by column, so no column
 * needs a cast and the list is the model's (its Prisma `…ScalarFieldEnum`), not written by hand.
 */
export function rowInsertSql(table: string, fields: Record<string, string>, row: object, from?: Prisma.Sql): Prisma.Sql {
  const keys = Object.keys(fields);
  const values = row as Record<string, unknown>;
  const json = JSON.stringify(Object.fromEntries(keys.map((f) => [snake(f), jsonValue(values[f])])));
  const columns = Prisma.raw(keys.map(snake).join(", "));
  return Prisma.sql`INSERT INTO ${Prisma.raw(table)} (${columns})
    SELECT ${Prisma.raw(keys.map((f) => `r.${snake(f)}`).join(", "))}
    FROM ${from ? Prisma.sql`${from}, ` : Prisma.empty}json_populate_record(NULL::${Prisma.raw(table)}, ${json}::json) AS r`;
}
