// `npm run train:risk`: simulates the seeded synthetic payments (src/risk/model/simulator.ts),
// trains the risk model on the first 75% of the days, measures it on the later 25%, and writes
// src/risk/model/risk-model.ts: the model, its version, its metrics, the PR-AUC floor the tests
// hold it to, and its golden predictions. Deterministic: the same code writes the same file.
// CI never runs this; it checks the file that is checked in (test/unit/risk-model.test.ts).
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GOLDEN_PAYMENTS } from "../risk/model/golden.js";
import { scoreWithModel } from "../risk/model/score.js";
import { DEFAULT_SIMULATION, simulate } from "../risk/model/simulator.js";
import { measure, splitByTime, trainLogistic } from "../risk/model/train.js";

const started = performance.now();
const rows = simulate(DEFAULT_SIMULATION);
const { train, heldOut } = splitByTime(rows);
const model = trainLogistic(train, (fitted) => `lr-${createHash("sha256").update(JSON.stringify(fitted)).digest("hex").slice(0, 10)}`);
const metrics = { train: measure(model, train), heldOut: measure(model, heldOut) };
// Two points of PR-AUC below what it scores now: a change that loses more fails the tests.
const prAucFloor = Math.floor(metrics.heldOut.prAuc * 100) / 100 - 0.02;
const golden = Object.fromEntries(Object.entries(GOLDEN_PAYMENTS).map(([name, facts]) => [name, scoreWithModel(model, facts).score]));
const seconds = ((performance.now() - started) / 1000).toFixed(1);

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/risk/model/risk-model.ts");
writeFileSync(target, `// Written by \`npm run train:risk\` (src/scripts/train-risk.ts): do not edit. Trained on SYNTHETIC data
// (src/risk/model/simulator.ts, seed ${DEFAULT_SIMULATION.seed}); metrics on the held-out later 25% of the days.
import type { RiskModel } from "./score.js";

export const RISK_MODEL: RiskModel = ${JSON.stringify(model, null, 2)};

export const RISK_MODEL_TRAINING = ${JSON.stringify({ simulation: DEFAULT_SIMULATION, split: "first 75% of days / last 25%", metrics, prAucFloor: Number(prAucFloor.toFixed(2)) }, null, 2)};

/** The scores the golden payments (golden.ts) get from this model. */
export const RISK_MODEL_GOLDEN: Record<string, number> = ${JSON.stringify(golden, null, 2)};
`);
process.stdout.write(`${JSON.stringify({ version: model.version, payments: rows.length, seconds, heldOut: metrics.heldOut, golden }, null, 2)}\nwrote ${path.relative(process.cwd(), target)}\n`);
