#!/usr/bin/env node
// `npm run soak -- --minutes N [--seed S]`: the chaos test's scenario (test/integration/chaos.test.ts)
// for N minutes of chaos instead of one, then the same invariant check; prints the run's figures
// (payments, operations, faults injected, violations). Builds first: the scenario runs dist/main.js.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "3" }, seed: { type: "string" } } });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 120) {
  console.error(`--minutes must be a number of minutes in (0, 120], got '${values.minutes}'`);
  process.exit(2);
}
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;
if (run("npm", ["run", "build", "--silent"]) !== 0) process.exit(1);
const env = { CHAOS_SECONDS: String(Math.round(minutes * 60)), ...(values.seed ? { CHAOS_SEED: values.seed } : {}) };
process.exit(run("npx", ["vitest", "run", "test/integration/chaos.test.ts", "--reporter=default"], env));
