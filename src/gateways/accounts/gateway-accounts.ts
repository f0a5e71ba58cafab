// A merchant's gateway accounts: validated, config sealed by the vault (never returned), always
// scoped by merchant. Kinds are adapters; only the sandbox exists today.
import { Prisma, type GatewayAccount } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import type { Tx } from "../../platform/db.js";
import { badInput, notFound } from "../../platform/errors.js";
import { newId } from "../../platform/ids.js";
import { currencyExponent } from "../../platform/money.js";
import { seal } from "../../vault/vault.js";
import { recordAudit } from "../../audit/audit.js";
import { gatewayAccountView } from "../../audit/views.js";

/** Card brands as the card validator names them. */
export const CARD_BRANDS = ["visa", "mastercard", "american-express", "diners-club", "discover", "jcb", "unionpay", "maestro", "mir", "elo", "hiper", "hipercard"];
export const CONFIG_PURPOSE = ":gateway-config";

export interface SandboxConfig { url: string }

/**
 * What can change on an account. Not its config: attempts in flight, lookups by key, captures and
 * refunds must reach the very endpoint that saw the charge. New URL or credentials: a new account.
 */
export interface GatewayAccountInput {
  name?: string | null;
  currencies?: string[] | null;
  cardBrands?: string[] | null;
  priority?: number | null;
  costBps?: number | null;
  enabled?: boolean | null;
}

function sandboxConfig(ctx: Ctx, config: Record<string, unknown>): SandboxConfig {
  // The worker sends card numbers to this URL: a test-mode tool, never a production one.
  if (ctx.app.config.env === "production") throw badInput("SANDBOX gateway accounts exist in test mode only", "kind");
  const { url, ...rest } = config;
  if (Object.keys(rest).length) throw badInput(`Unknown sandbox config keys: ${Object.keys(rest).join(", ")}`, "config");
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !["http:", "https:"].includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw badInput("config.url must be an http(s) URL without credentials, query or fragment", "config");
  }
  return { url: parsed.href.replace(/\/+$/, "") };
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
  if (input.costBps !== undefined && input.costBps !== null && !(Number.isInteger(input.costBps) && input.costBps >= 0 && input.costBps <= 10_000)) {
    throw badInput("costBps must be a whole number of basis points from 0 to 10000 (290 = 2.90%)", "costBps");
  }
  return { name, currencies, cardBrands: input.cardBrands ?? undefined };
}

export async function createGatewayAccount(ctx: Ctx, input: GatewayAccountInput & { name: string; config: Record<string, unknown> }): Promise<GatewayAccount> {
  const v = validated(input);
  const config = sandboxConfig(ctx, input.config);
  // Sealed before the transaction: the vault's data-key work holds no transaction open.
  const configCiphertext = new Uint8Array(await seal(ctx.app.vault, ctx.merchantId, JSON.stringify(config), CONFIG_PURPOSE));
  return ctx.app.db.$transaction(async (tx) => {
    const account = await tx.gatewayAccount.create({
      data: {
        id: newId("gwa"), merchantId: ctx.merchantId, name: v.name ?? "", kind: "SANDBOX",
        configCiphertext,
        currencies: v.currencies ?? [], cardBrands: v.cardBrands ?? [], priority: input.priority ?? 100, costBps: input.costBps ?? 0, enabled: input.enabled ?? true,
      },
    });
    await recordAudit(tx, ctx, { action: "gateway_account.created", entityType: "gateway_account", entityId: account.id, after: gatewayAccountView(account) });
    return account;
  }).catch(nameTaken(v.name));
}

/** The unique (merchant, name) index decides, so two concurrent creates cannot both win. */
const nameTaken = (name: string | undefined) => (err: unknown): never => {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw badInput(`A gateway account named '${name}' exists already`, "name");
  throw err;
};

export async function updateGatewayAccount(ctx: Ctx, id: string, input: GatewayAccountInput): Promise<GatewayAccount> {
  const v = validated(input);
  const existing = await ctx.app.db.gatewayAccount.findFirst({ where: { id, merchantId: ctx.merchantId } });
  if (!existing) throw notFound("gateway account", id);
  return ctx.app.db.$transaction(async (tx) => {
    const account = await tx.gatewayAccount.update({
      where: { id: existing.id, merchantId: ctx.merchantId },
      data: {
        ...(v.name ? { name: v.name } : {}),
        ...(v.currencies ? { currencies: v.currencies } : {}),
        ...(v.cardBrands ? { cardBrands: v.cardBrands } : {}),
        ...(input.priority !== undefined && input.priority !== null ? { priority: input.priority } : {}),
        ...(input.costBps !== undefined && input.costBps !== null ? { costBps: input.costBps } : {}),
        ...(input.enabled !== undefined && input.enabled !== null ? { enabled: input.enabled } : {}),
        updatedAt: new Date(),
      },
    });
    // Turning an account off or on is named as such: it is what an auditor looks for.
    const verb = existing.enabled && !account.enabled ? "disabled" : !existing.enabled && account.enabled ? "enabled" : "updated";
    await recordAudit(tx, ctx, { action: `gateway_account.${verb}`, entityType: "gateway_account", entityId: account.id, before: gatewayAccountView(existing), after: gatewayAccountView(account) });
    return account;
  }).catch(nameTaken(v.name));
}

export async function listGatewayAccounts(db: Tx, merchantId: string): Promise<GatewayAccount[]> {
  return db.gatewayAccount.findMany({ where: { merchantId }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
}
