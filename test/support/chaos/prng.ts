// A seeded PRNG (mulberry32): the chaos run draws every decision (traffic plan, fault schedule)
// from it, so a failure reruns with the same seed. Timing still varies between runs: the seed fixes
// what is done and in which order per stream, not when the processes answer.
export interface Rng {
  /** [0, 1) */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A child stream of its own: e.g. one per scenario, so interleaving does not change its draws. */
  fork(label: number): Rng;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    fork: (label) => rng(Math.imul(seed ^ 0x9e3779b9, 31) + Math.imul(label + 1, 0x85ebca6b)),
  };
}

/** CHAOS_SEED when given (a failure's printed seed), else a fresh one. */
export function chaosSeed(source: string | undefined = process.env.CHAOS_SEED): number {
  if (source !== undefined && source !== "") {
    const n = Number(source);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`CHAOS_SEED must be an integer 0..4294967295, got '${source}'`);
    return n;
  }
  return Math.floor(Math.random() * 0xffffffff);
}
