// The risk step's decision, in process (issue 12): decide() — the sandbox-card check, the built-in
// rules, the model and its reasons, the lists' answer and a merchant's rules in the risk language —
// timed call by call over the simulator's held-out payments (the facts a live confirmation brings),
// with 10 merchant rules (8 ACTIVE, 2 SHADOW) that match now and then. CPU only, one thread: the
// figures are per call and hold on a busy box better than wall times across processes. The reads
// the step makes before deciding (Redis and PostgreSQL at once) are measured live by
// `npm run bench:checkout` (part "lookup"); the model's held-out metrics are printed beside.
//
//   npm run build && node bench/risk-scoring.mjs [--calls 200000]
import { parseArgs } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileSync, mkdirSync } from "node:fs";
import { decide } from "../dist/risk/decide.js";
import { RISK_MODEL, RISK_MODEL_TRAINING } from "../dist/risk/model/risk-model.js";
import { scoreWithModel } from "../dist/risk/model/score.js";
import { DEFAULT_SIMULATION, simulate } from "../dist/risk/model/simulator.js";
import { splitByTime } from "../dist/risk/model/train.js";
import { settingsFromRow } from "../dist/risk/risk-settings.js";
import { machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { machineLine } from "./lib/report.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({ options: { calls: { type: "string", default: "200000" } } });
const calls = Number(flags.calls);

const RULES = [
  ["big-eur", "BLOCK", 'currency == "EUR" && amount >= 1000000'],
  ["testing", "BLOCK", "cards_per_ip_10m >= 6 && amount < 500"],
  ["far-new", "REVIEW", 'card_country != shopper_country && shopper_country != "" && amount_vs_usual == 0.0 && amount > 20000'],
  ["hot-card", "REVIEW", "card_attempts_10m >= 5 && !is_retry_after_insufficient_funds"],
  ["level", "REQUEST_3DS", 'risk_level == "ELEVATED" && has_customer'],
  ["mail", "REVIEW", 'shopper_email_domain.endsWith(".invalid")'],
  ["bins", "BLOCK", 'card_bin.startsWith("999999")'],
  ["regular", "ALLOW", "has_customer && amount_vs_usual > 0.5 && amount_vs_usual < 1.5 && risk_score < 30"],
  ["watch-1", "REVIEW", "amount_vs_usual > 4.0", "SHADOW"],
  ["watch-2", "REQUEST_3DS", "cards_per_email_10m >= 2", "SHADOW"],
].map(([name, action, when, mode = "ACTIVE"]) => ({ name, action, when, mode, message: null }));
const settings = settingsFromRow({ version: 1, settings: { rules: RULES, thresholds: { requestThreeDSecure: 50, review: 70, block: 85 }, largeAmounts: [] } });

const { heldOut } = splitByTime(simulate(DEFAULT_SIMULATION));
const facts = heldOut.map((p) => p.facts);
const listed = [];

function time(label, fn) {
  for (let i = 0; i < 20_000; i++) fn(facts[i % facts.length]); // warm the JIT
  const ns = new Float64Array(calls);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const f = facts[i % facts.length];
    const t = process.hrtime.bigint();
    fn(f);
    ns[i] = Number(process.hrtime.bigint() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  ns.sort();
  const q = (p) => Math.round(ns[Math.min(calls - 1, Math.floor(p * calls))] / 10) / 100; // µs, 2 decimals
  return { label, calls, p50Us: q(0.5), p99Us: q(0.99), p999Us: q(0.999), cpuUsPerCall: Math.round(((cpu.user + cpu.system) / calls) * 100) / 100 };
}

const outcomes = {};
for (const f of facts) { const o = decide(f, settings, listed, RISK_MODEL).outcome; outcomes[o] = (outcomes[o] ?? 0) + 1; }
const result = {
  machine: await machine(), code: provenance(ROOT), modelVersion: RISK_MODEL.version,
  decide: time("decide (rules, model, 10 merchant rules)", (f) => decide(f, settings, listed, RISK_MODEL)),
  model: time("the model alone (scoreWithModel)", (f) => scoreWithModel(RISK_MODEL, f)),
  outcomes, heldOut: RISK_MODEL_TRAINING.metrics.heldOut,
};
mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(path.join(ROOT, "bench", "results", "risk-scoring.json"), `${JSON.stringify(result, null, 2)}\n`);
const line = (r) => `| ${r.label} | ${r.calls} | ${r.p50Us} µs | ${r.p99Us} µs | ${r.p999Us} µs | ${r.cpuUsPerCall} µs |`;
console.log([
  "# paygraph risk scoring bench", "", machineLine(result.machine), provenanceLine(result.code), `model ${result.modelVersion}; ${facts.length} held-out payments, cycled`, "",
  "| what | calls | p50 | p99 | p99.9 | CPU per call (incl. timing) |", "|---|---:|---:|---:|---:|---:|", line(result.decide), line(result.model), "",
  `outcomes over the held-out payments with these rules: ${JSON.stringify(outcomes)}`, "",
  `model on the held-out later days: PR-AUC ${result.heldOut.prAuc}, ROC-AUC ${result.heldOut.rocAuc}, ` +
    result.heldOut.atScore.map((a) => `at ${a.score}: precision ${a.precision} recall ${a.recall} (flags ${(a.flaggedShare * 100).toFixed(2)} %)`).join("; "),
].join("\n"));
