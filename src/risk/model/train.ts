// Training and measuring the risk model: an L2-regularised logistic regression fitted by Newton's
// method (iteratively reweighted least squares) on standardised features. Nine parameters, a few
// iterations over the simulator's payments: exact, deterministic (no random start, no shuffling),
// and seconds on two cores. Its metrics are measured on the later-in-time split it never saw.
import { FEATURES } from "./features.js";
import { probability, type RiskModel } from "./score.js";
import { FRAUD_SCENARIOS, type Scenario, type SimulatedPayment } from "./simulator.js";

const L2 = 1.0;
const MAX_ITERATIONS = 50;

/** Solves A·x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

export function trainLogistic(rows: readonly SimulatedPayment[], version: (fitted: Omit<RiskModel, "version">) => string): RiskModel {
  const d = FEATURES.length;
  const mean = FEATURES.map((_, j) => rows.reduce((s, r) => s + r.x[j]!, 0) / rows.length);
  const scale = FEATURES.map((_, j) => Math.sqrt(rows.reduce((s, r) => s + (r.x[j]! - mean[j]!) ** 2, 0) / rows.length) || 1);
  const z = rows.map((r) => [1, ...r.x.map((v, j) => (v - mean[j]!) / scale[j]!)]);
  const y = rows.map((r) => (r.fraud ? 1 : 0));
  let beta = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < z.length; i++) {
      const zi = z[i]!;
      const p = 1 / (1 + Math.exp(-zi.reduce((s, v, j) => s + v * beta[j]!, 0)));
      const w = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j]! += (y[i]! - p) * zi[j]!;
        for (let k = 0; k <= j; k++) hess[j]![k]! += w * zi[j]! * zi[k]!;
      }
    }
    for (let j = 0; j <= d; j++) {
      for (let k = 0; k < j; k++) hess[k]![j] = hess[j]![k]!;
      // The intercept is not penalised.
      if (j > 0) { grad[j]! -= L2 * beta[j]!; hess[j]![j]! += L2; }
    }
    const step = solve(hess, grad);
    beta = beta.map((b, j) => b + step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  const round = (v: number) => Number(v.toPrecision(10));
  const weights = beta.slice(1).map(round);
  const lo = FEATURES.map((_, j) => round(rows.reduce((m, r) => Math.min(m, r.x[j]!), Infinity)));
  const hi = FEATURES.map((_, j) => round(rows.reduce((m, r) => Math.max(m, r.x[j]!), -Infinity)));
  const fitted = { features: [...FEATURES], mean: mean.map(round), scale: scale.map(round), weights, intercept: round(beta[0]!), range: { lo, hi } };
  return { version: version(fitted), ...fitted };
}

/** Average precision (the area under the precision-recall curve, step-wise): ties broken by order. */
export function averagePrecision(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const positives = labels.filter(Boolean).length;
  let hits = 0;
  let sum = 0;
  order.forEach((i, rank) => {
    if (labels[i]) sum += ++hits / (rank + 1);
  });
  return positives ? sum / positives : 0;
}

/** The area under the ROC curve, by ranks (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  for (let k = 0; k < order.length;) {
    let end = k;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[k]!]) end++;
    const rank = (k + end) / 2 + 1;
    for (let t = k; t <= end; t++) if (labels[order[t]!]) rankSum += rank;
    k = end + 1;
  }
  const pos = labels.filter(Boolean).length;
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface ModelMetrics {
  payments: number;
  fraud: number;
  prAuc: number;
  rocAuc: number;
  /** At each default threshold of the score: the share of flagged payments that are fraud, and of fraud flagged. */
  atScore: { score: number; precision: number; recall: number; flaggedShare: number }[];
  /** Recall at score 50 (3-D Secure or worse), by fraud scenario. */
  recallByScenario: Record<string, number>;
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

export function measure(model: RiskModel, rows: readonly SimulatedPayment[]): ModelMetrics {
  const p = rows.map((r) => probability(model, r.x));
  const labels = rows.map((r) => r.fraud);
  const score = p.map((v) => Math.round(100 * v));
  const fraud = labels.filter(Boolean).length;
  const atScore = [50, 70, 85].map((s) => {
    const flagged = score.map((v) => v >= s);
    const tp = flagged.filter((f, i) => f && labels[i]).length;
    const n = flagged.filter(Boolean).length;
    return { score: s, precision: round4(n ? tp / n : 0), recall: round4(tp / fraud), flaggedShare: round4(n / rows.length) };
  });
  const recallByScenario: Record<string, number> = {};
  for (const scenario of FRAUD_SCENARIOS as Scenario[]) {
    const of = rows.map((r, i) => [r, i] as const).filter(([r]) => r.scenario === scenario);
    recallByScenario[scenario] = round4(of.filter(([, i]) => score[i]! >= 50).length / of.length);
  }
  return { payments: rows.length, fraud, prAuc: round4(averagePrecision(p, labels)), rocAuc: round4(rocAuc(p, labels)), atScore, recallByScenario };
}

/** The split: the first 75% of the simulated days to train on, the later 25% held out. */
export function splitByTime(rows: readonly SimulatedPayment[]): { train: SimulatedPayment[]; heldOut: SimulatedPayment[] } {
  const first = rows[0]!.at;
  const last = rows[rows.length - 1]!.at;
  const cut = first + 0.75 * (last - first);
  return { train: rows.filter((r) => r.at < cut), heldOut: rows.filter((r) => r.at >= cut) };
}
