// Summarises .cpuprofile files (from `npm run bench -- --profile`, or any `node --cpu-prof` run):
// self time by bucket (GraphQL execution, Prisma, pg, HTTP, Redis, our code, GC …), by package
// or file, and the top functions.
//
//   node bench/profile.mjs bench/results/prof/api-<run>.cpuprofile [more.cpuprofile …] [--top 25] [--json]
import { parseArgs } from "node:util";
import { formatProfileSummary, readProfile, summariseProfile } from "./lib/cpuprofile.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" }, json: { type: "boolean", default: false } },
});
if (positionals.length === 0) {
  console.error("usage: node bench/profile.mjs <file.cpuprofile> [more …] [--top N] [--json]");
  process.exit(2);
}
for (const file of positionals) {
  const summary = summariseProfile(readProfile(file), { topFunctions: Number(values.top) });
  console.log(values.json ? JSON.stringify({ file, ...summary }, null, 2) : `${formatProfileSummary(file, summary)}\n`);
}
