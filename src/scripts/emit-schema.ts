// Writes schema/schema.graphql from the type-graphql classes (`npm run generate`).
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPaygraphSchema, printSchemaSDL } from "../server/schema.js";

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../schema/schema.graphql");
writeFileSync(target, printSchemaSDL(await buildPaygraphSchema()));
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
