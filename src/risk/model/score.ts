// Scoring with the trained model (risk-model.ts, made by `npm run train:risk`): a logistic
// regression on standardised features, so each feature's part in the score is exact and can be
// told — the explanation is the model itself, not an approximation of it. The score is the
// probability of fraud in percent; the reasons are the features that pushed it up the most.
import type { RiskFacts } from "../facts.js";
import type { RiskReason } from "../rules.js";
import { FEATURES, featureVector, featureWords, type Feature } from "./features.js";

export interface RiskModel {
  version: string;
  features: readonly string[];
  mean: readonly number[];
  scale: readonly number[];
  weights: readonly number[];
  intercept: number;
  /** Each feature's smallest and largest value in training: scoring clips to them, so the model never extrapolates. */
  range: { lo: readonly number[]; hi: readonly number[] };
}

/** A feature is named as a reason when it adds at least this much to the log-odds (×1.5 the odds). */
const NAMED_FROM = 0.4;
const MAX_NAMED = 3;

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The log-odds each feature adds, relative to the average payment the model learned from. */
export function contributions(model: RiskModel, x: readonly number[]): number[] {
  // A linear model is only known where it was fitted: 500 attempts on one card are not 100× the
  // evidence of 5 (that is the velocity rules' business, with their own documented thresholds).
  return x.map((value, i) => (model.weights[i]! * (Math.min(model.range.hi[i]!, Math.max(model.range.lo[i]!, value)) - model.mean[i]!)) / model.scale[i]!);
}

export function probability(model: RiskModel, x: readonly number[]): number {
  return sigmoid(model.intercept + contributions(model, x).reduce((a, b) => a + b, 0));
}

export interface ModelScore {
  score: number;
  reasons: RiskReason[];
  /** The features it scored, by name (kept with the assessment for reportFraud's training examples). */
  features: Record<string, number>;
}

export function scoreWithModel(model: RiskModel, facts: RiskFacts): ModelScore {
  if (model.features.join() !== FEATURES.join()) throw new Error(`Risk model ${model.version} was trained on other features: retrain it (npm run train:risk)`);
  const x = featureVector(facts);
  const parts = contributions(model, x);
  const score = Math.round(100 * sigmoid(model.intercept + parts.reduce((a, b) => a + b, 0)));
  // The points above the average payment's score, shared among the features named.
  const base = Math.round(100 * sigmoid(model.intercept));
  const named = parts.map((c, i) => ({ c, feature: FEATURES[i]! as Feature })).filter((p) => p.c >= NAMED_FROM).sort((a, b) => b.c - a.c).slice(0, MAX_NAMED);
  const total = named.reduce((sum, p) => sum + p.c, 0);
  // A feature that moves the score by less than a point is not worth a merchant's reading.
  const reasons = named.map((p) => ({
    code: p.feature, message: featureWords(p.feature, facts), source: `model:${p.feature}`, points: Math.max(0, Math.round(((score - base) * p.c) / total)),
  })).filter((r) => r.points > 0);
  return { score, reasons, features: Object.fromEntries(FEATURES.map((name, i) => [name, x[i]!])) };
}
