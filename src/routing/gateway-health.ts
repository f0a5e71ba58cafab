// How each of a merchant's gateway accounts is doing: attempts over a recent window from
// PostgreSQL (exact counts, latency percentiles of the calls that got an answer in time) and the
// circuit breaker as every process sees it (Redis).
import type { GatewayAccount } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import { badInput } from "../platform/errors.js";
import { listGatewayAccounts } from "../gateways/accounts/gateway-accounts.js";
import type { CircuitState } from "./circuit-breaker.js";
import { ALL_SEGMENTS } from "./gateway-stats.js";

export interface GatewayHealth {
  account: GatewayAccount;
  windowMinutes: number;
  attempts: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** succeeded / (succeeded + failed); null before any attempt finished. */
  successRate: number | null;
  /** Gateway calls (retries included) in the routing window, and the share approved: what the planner ranks by. */
  calls: number;
  callSuccessRate: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  circuit: { state: CircuitState; consecutiveFailures: number; openedAt: Date | null };
}

interface Row { id: string; attempts: number; succeeded: number; failed: number; pending: number; p50: number | null; p95: number | null }

export async function gatewayHealth(ctx: Ctx, windowMinutes: number): Promise<GatewayHealth[]> {
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > 7 * 24 * 60) throw badInput("windowMinutes must be a whole number from 1 to 10080 (a week)", "windowMinutes");
  const accounts = await listGatewayAccounts(ctx.app.db, ctx.merchantId);
  if (accounts.length === 0) return [];
  const since = new Date(Date.now() - windowMinutes * 60_000);
  const rows = await ctx.app.db.$queryRaw<Row[]>`
    SELECT gateway_account_id AS id,
           count(*)::int AS attempts,
           (count(*) FILTER (WHERE status = 'SUCCEEDED'))::int AS succeeded,
           (count(*) FILTER (WHERE status = 'FAILED'))::int AS failed,
           (count(*) FILTER (WHERE status = 'PENDING'))::int AS pending,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
      FROM payment_attempt
     WHERE gateway_account_id = ANY(${accounts.map((a) => a.id)}) AND merchant_id = ${ctx.merchantId} AND created_at >= ${since}
     GROUP BY gateway_account_id`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const calls = await ctx.app.stats.read(accounts.map((a) => a.id), ALL_SEGMENTS);
  return Promise.all(accounts.map(async (account) => {
    const r = byId.get(account.id);
    const finished = (r?.succeeded ?? 0) + (r?.failed ?? 0);
    const circuit = await ctx.app.stats.circuit(account.id);
    return {
      account, windowMinutes,
      attempts: r?.attempts ?? 0, succeeded: r?.succeeded ?? 0, failed: r?.failed ?? 0, pending: r?.pending ?? 0,
      successRate: finished ? (r?.succeeded ?? 0) / finished : null,
      calls: calls.get(account.id)?.calls ?? 0,
      callSuccessRate: calls.get(account.id)?.calls ? calls.get(account.id)!.approved / calls.get(account.id)!.calls : null,
      p50LatencyMs: r?.p50 ?? null, p95LatencyMs: r?.p95 ?? null,
      circuit: { state: circuit.state, consecutiveFailures: circuit.failures, openedAt: circuit.openedAt },
    };
  }));
}
