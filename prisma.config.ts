import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI checks for a native schema engine before `generate`; point it at a stub (see the script).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/no-schema-engine.sh");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // Not env("DATABASE_URL"): that throws when unset, even for `generate`.
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
