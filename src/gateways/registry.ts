// The connector an attempt (and everything after it: capture, void, refund) talks to: the
// merchant's gateway account it was routed to, or the server's default gateway.
import type { App } from "../platform/app.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { unseal } from "../vault/vault.js";
import { CONFIG_PURPOSE, type SandboxConfig } from "./accounts/gateway-accounts.js";
import type { Gateway } from "./gateway.js";
import { SandboxGateway } from "./sandbox/adapter.js";

/** Adapters by account (an account's config never changes): decrypting it on every call would be wasted work. */
const adapters = new Map<string, Gateway>();

export async function gatewayFor(app: App, attempt: { merchantId: string; gatewayAccountId: string | null }): Promise<Gateway> {
  if (!attempt.gatewayAccountId) {
    if (!app.gateway) throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, "No payment gateway is configured on this server");
    return app.gateway;
  }
  // Disabled accounts still serve the payments they authorized (capture, refund).
  const account = await app.db.gatewayAccount.findFirst({ where: { id: attempt.gatewayAccountId, merchantId: attempt.merchantId } });
  if (!account) throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `Gateway account ${attempt.gatewayAccountId} no longer exists`);
  const cacheKey = account.id;
  let adapter = adapters.get(cacheKey);
  if (!adapter) {
    const config = JSON.parse(await unseal(app.vault, account.merchantId, account.configCiphertext, CONFIG_PURPOSE)) as SandboxConfig;
    adapter = new SandboxGateway({ baseUrl: config.url, name: account.name, timeoutMs: app.config.gatewayTimeoutMs });
    if (adapters.size > 1000) adapters.clear();
    adapters.set(cacheKey, adapter);
  }
  return adapter;
}
