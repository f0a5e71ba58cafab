// The checked-in risk model (src/risk/model/risk-model.ts): its PR-AUC on the simulator's held-out,
// later-in-time split stays at or above the recorded floor, its golden predictions do not move,
// and the simulator it was trained on is the same for the same seed. CI never retrains it.
import { describe, expect, it } from "vitest";
import { GOLDEN_PAYMENTS } from "../../src/risk/model/golden.js";
import { RISK_MODEL, RISK_MODEL_GOLDEN, RISK_MODEL_TRAINING } from "../../src/risk/model/risk-model.js";
import { scoreWithModel } from "../../src/risk/model/score.js";
import { DEFAULT_SIMULATION, simulate } from "../../src/risk/model/simulator.js";
import { averagePrecision, measure, rocAuc, splitByTime } from "../../src/risk/model/train.js";

describe("the risk model", () => {
  it("keeps its PR-AUC on the held-out later days at or above the recorded floor", () => {
    const { heldOut } = splitByTime(simulate(DEFAULT_SIMULATION));
    const metrics = measure(RISK_MODEL, heldOut);
    expect(RISK_MODEL_TRAINING.prAucFloor).toBeGreaterThan(0.5);
    expect(metrics.prAuc).toBeGreaterThanOrEqual(RISK_MODEL_TRAINING.prAucFloor);
    expect(metrics).toEqual(RISK_MODEL_TRAINING.metrics.heldOut);
  });

  it("gives the golden payments the scores it was checked in with", () => {
    const scores = Object.fromEntries(Object.entries(GOLDEN_PAYMENTS).map(([name, facts]) => [name, scoreWithModel(RISK_MODEL, facts).score]));
    expect(scores).toEqual(RISK_MODEL_GOLDEN);
    // And says why, in words, for the risky ones.
    expect(scoreWithModel(RISK_MODEL, GOLDEN_PAYMENTS.card_testing!).reasons.map((r) => r.source)).toContain("model:cards_per_ip");
    expect(scoreWithModel(RISK_MODEL, GOLDEN_PAYMENTS.amount_anomaly!).reasons[0]).toMatchObject({ source: "model:amount_vs_usual", message: "15.0× this card's usual amount here" });
    expect(scoreWithModel(RISK_MODEL, GOLDEN_PAYMENTS.everyday!).reasons).toEqual([]);
  });

  it("simulates the same payments for the same seed, and other ones for another", () => {
    const small = { ...DEFAULT_SIMULATION, customers: 200, days: 20, burnInDays: 2 };
    const a = simulate(small);
    expect(simulate(small)).toEqual(a);
    expect(simulate({ ...small, seed: small.seed + 1 })).not.toEqual(a);
    expect(a.some((p) => p.fraud) && a.some((p) => !p.fraud)).toBe(true);
  });

  it("measures precision-recall and ROC areas as defined", () => {
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6], [true, false, true, false])).toBeCloseTo((1 + 2 / 3) / 2, 10);
    expect(rocAuc([0.9, 0.8, 0.7, 0.6], [true, false, true, false])).toBeCloseTo(0.75, 10);
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
  });
});
