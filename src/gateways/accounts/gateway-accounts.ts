// A merchant's gateway accounts: validated, config sealed by the vault (never returned), always
// scoped by merchant. Kinds are adapters; only the sandbox exists today.
import type { GatewayAccount } from "../../generated/prisma/client.js";
import type { Ctx } from "../../platform/app.js";
import type { Tx } from "../../platform/db.js";
import { badInput, notFound } from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import { currencyExponent } from "../../platform/money.js";
import { seal } from "../../vault/vault.js";

/** Card brands as the card validator names them. */
export const CARD_BRANDS = ["visa", "mastercard", "american-express", "diners-club", "discover", "jcb", "unionpay", "maestro", "mir", "elo", "hiper", "hipercard"];
export const CONFIG_PURPOSE = ":gateway-config";

export interface SandboxConfig { url: string; apiKey?: string }

export interface GatewayAccountInput {
  name?: string | null;
  config?: Record<string, unknown> | null;
  currencies?: string[] | null;
  cardBrands?: string[] | null;
  priority?: number | null;
  enabled?: boolean | null;
}

function sandboxConfig(config: Record<string, unknown>): SandboxConfig {
  const { url, apiKey, ...rest } = config;
  if (Object.keys(rest).length) throw badInput(`Unknown sandbox config keys: ${Object.keys(rest).join(", ")}`, "config");
  if (typeof url !== "string" || !/^https?:\/\/[^\s]+$/.test(url)) throw badInput("config.url must be an http(s) URL", "config");
  if (apiKey !== undefined && typeof apiKey !== "string") throw badInput("config.apiKey must be a string", "config");
  return { url: url.replace(/\/+$/, ""), ...(apiKey ? { apiKey } : {}) };
}

function validated(input: GatewayAccountInput) {
  const name = input.name?.trim();
  if (input.name !== undefined && input.name !== null && (!name || name.length > 64 || !/^[\w.-]+$/.test(name))) {
    throw badInput("name must be 1 to 64 letters, digits, '.', '_' or '-'", "name");
  }
  const currencies = input.currencies?.map((c) => c.trim().toUpperCase());
  const unknown = currencies?.find((c) => currencyExponent(c) === undefined);
  if (unknown) throw badInput(`Unknown currency '${unknown}'`, "currencies");
  const brand = input.cardBrands?.find((b) => !CARD_BRANDS.includes(b));
  if (brand) throw badInput(`Unknown card brand '${brand}': use one of ${CARD_BRANDS.join(", ")}`, "cardBrands");
  if (input.priority !== undefined && input.priority !== null && !(Number.isInteger(input.priority) && input.priority >= 0 && input.priority <= 10_000)) {
    throw badInput("priority must be a whole number from 0 to 10000 (lower goes first)", "priority");
  }
  return { name, currencies, cardBrands: input.cardBrands ?? undefined };
}

export async function createGatewayAccount(ctx: Ctx, input: GatewayAccountInput & { name: string; config: Record<string, unknown> }): Promise<GatewayAccount> {
  const v = validated(input);
  const config = sandboxConfig(input.config);
  if (await ctx.app.db.gatewayAccount.findFirst({ where: { merchantId: ctx.merchantId, name: v.name ?? "" }, select: { id: true } })) {
    throw badInput(`A gateway account named '${v.name}' exists already`, "name");
  }
  return ctx.app.db.gatewayAccount.create({
    data: {
      id: newId("gwa"), merchantId: ctx.merchantId, name: v.name ?? "", kind: "SANDBOX",
      configCiphertext: new Uint8Array(seal(ctx.app.config, ctx.merchantId, JSON.stringify(config), CONFIG_PURPOSE)),
      currencies: v.currencies ?? [], cardBrands: v.cardBrands ?? [], priority: input.priority ?? 100, enabled: input.enabled ?? true,
    },
  });
}

export async function updateGatewayAccount(ctx: Ctx, id: string, input: GatewayAccountInput): Promise<GatewayAccount> {
  const v = validated(input);
  const existing = await ctx.app.db.gatewayAccount.findFirst({ where: { id, merchantId: ctx.merchantId } });
  if (!existing) throw notFound("gateway account", id);
  if (v.name && v.name !== existing.name && (await ctx.app.db.gatewayAccount.findFirst({ where: { merchantId: ctx.merchantId, name: v.name } }))) {
    throw badInput(`A gateway account named '${v.name}' exists already`, "name");
  }
  return ctx.app.db.gatewayAccount.update({
    where: { id },
    data: {
      ...(v.name ? { name: v.name } : {}),
      ...(input.config ? { configCiphertext: new Uint8Array(seal(ctx.app.config, ctx.merchantId, JSON.stringify(sandboxConfig(input.config)), CONFIG_PURPOSE)) } : {}),
      ...(v.currencies ? { currencies: v.currencies } : {}),
      ...(v.cardBrands ? { cardBrands: v.cardBrands } : {}),
      ...(input.priority !== undefined && input.priority !== null ? { priority: input.priority } : {}),
      ...(input.enabled !== undefined && input.enabled !== null ? { enabled: input.enabled } : {}),
      updatedAt: new Date(),
    },
  });
}

export async function listGatewayAccounts(db: Tx, merchantId: string): Promise<GatewayAccount[]> {
  return db.gatewayAccount.findMany({ where: { merchantId }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
}
