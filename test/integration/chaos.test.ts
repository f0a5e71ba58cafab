// Issue 9 §4: money proven under faults. About a minute of mixed traffic (create, confirm, partial
// and full capture, cancel, partial refunds, retries under the same idempotency key) across two
// sandbox gateways, one flaky, while workers and apis are SIGKILLed and restarted, the run's own
// Redis is killed and restarted, and the database's connections are terminated in bursts. Then
// the invariant checker (test/support/chaos/checker.ts) over paygraph's rows, both gateways'
// ledgers, what callers were told and what a merchant-wide subscriber received.
// The seed is printed first: CHAOS_SEED=<seed> reruns the same plan. CHAOS_SECONDS sets the length.
import { expect, it } from "vitest";
import { describeViolations } from "../support/chaos/checker.js";
import { chaosSeed } from "../support/chaos/prng.js";
import { runChaos } from "../support/chaos/scenario.js";

const seed = chaosSeed();
const chaosMs = Number(process.env.CHAOS_SECONDS ?? 60) * 1000;

it(`keeps every invariant through a minute of chaos (CHAOS_SEED=${seed})`, { timeout: chaosMs + 300_000 }, async () => {
  console.log(`[chaos] CHAOS_SEED=${seed}, ${chaosMs / 1000} s of chaos`);
  const { violations, figures } = await runChaos({ seed, chaosMs });
  console.log(`[chaos] figures ${JSON.stringify(figures, null, 1)}`);
  expect(violations, describeViolations(violations, seed)).toEqual([]);
});
