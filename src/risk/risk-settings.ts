// A merchant's risk settings: its own rules (in the risk language, language.ts), the score
// thresholds of each outcome, and its large-amount thresholds per currency. One JSONB document per
// merchant (risk_settings), replaced by setRiskRules in one statement and audited; read by the
// risk step on every confirmation (one primary-key read, beside the list lookup: lists.ts), so a
// change applies to the very next payment. Each condition is compiled once per process.
import type { Ctx } from "../app/app.js";
import type { Prisma } from "../generated/prisma/client.js";
import { recordAudit } from "../audit/audit.js";
import { badInput } from "../platform/errors.js";
import { Money } from "../platform/money.js";
import { RuleRefused, compileRule, type CompiledRule } from "./language.js";
import type { RiskOutcome } from "./rules.js";

export type RuleMode = "ACTIVE" | "SHADOW";

export interface RiskRule {
  name: string;
  action: RiskOutcome;
  /** A condition in the risk language: `card_country != shopper_country && amount > 50000`. */
  when: string;
  /** SHADOW: evaluated and recorded on the payment (`risk.shadowMatches`), never acted on. */
  mode: RuleMode;
  /** What the payment's reasons say when it decides; "Merchant rule '<name>'" when null. */
  message: string | null;
}

/** The lowest score of each outcome; null: the score alone never leads to it. */
export interface RiskThresholds {
  requestThreeDSecure: number | null;
  review: number | null;
  block: number | null;
}

export interface RiskSettings {
  version: number;
  rules: RiskRule[];
  thresholds: RiskThresholds;
  largeAmounts: { currency: string; amountMinor: bigint }[];
}

export interface LoadedRiskSettings extends RiskSettings {
  compiled: CompiledRule[];
}

export const DEFAULT_THRESHOLDS: RiskThresholds = { requestThreeDSecure: 50, review: 70, block: 85 };
export const MAX_RULES = 50;
const NAME = /^[a-z0-9][a-z0-9_-]{0,59}$/;

export const NO_SETTINGS: LoadedRiskSettings = { version: 0, rules: [], thresholds: DEFAULT_THRESHOLDS, largeAmounts: [], compiled: [] };

interface StoredSettings { rules: RiskRule[]; thresholds: RiskThresholds; largeAmounts: { currency: string; amount: string }[] }

/** Compiled conditions by their text: the text is the whole of a rule's meaning, so it is the key. */
const compiledByText = new Map<string, CompiledRule>();
/** A stored rule that no longer compiles (after a change of the language) matches nothing rather than failing every confirmation. */
const NEVER = (() => false) as unknown as CompiledRule;

function compiled(when: string): CompiledRule {
  let rule = compiledByText.get(when);
  if (!rule) {
    try {
      rule = compileRule(when);
    } catch (err) {
      if (!(err instanceof RuleRefused)) throw err;
      rule = NEVER;
    }
    if (compiledByText.size >= 10_000) compiledByText.delete(compiledByText.keys().next().value!);
    compiledByText.set(when, rule);
  }
  return rule;
}

/** Settings as the risk step uses them, from the row's JSON; each condition compiled once per process. */
export function settingsFromRow(row: { version: number; settings: unknown } | null): LoadedRiskSettings {
  if (!row) return NO_SETTINGS;
  const stored = row.settings as StoredSettings;
  return {
    version: row.version, rules: stored.rules, thresholds: stored.thresholds, compiled: stored.rules.map((r) => compiled(r.when)),
    largeAmounts: stored.largeAmounts.map((a) => ({ currency: a.currency, amountMinor: Money.parse(a.amount, a.currency).minor })),
  };
}

export async function getRiskSettings(ctx: Ctx): Promise<LoadedRiskSettings> {
  return settingsFromRow(await ctx.app.db.riskSettings.findUnique({ where: { merchantId: ctx.merchantId } }));
}

export interface SetRiskRulesInput {
  rules: { name: string; action: RiskOutcome; when: string; mode?: RuleMode | null; message?: string | null }[];
  /** Omitted: kept as they are; a threshold left out or null: never by score. */
  thresholds?: { [K in keyof RiskThresholds]?: number | null } | null;
  /** Omitted: kept as they are. */
  largeAmounts?: { amount: string; currency: string }[] | null;
}

function checkRules(input: SetRiskRulesInput["rules"]): RiskRule[] {
  if (input.length > MAX_RULES) throw badInput(`A merchant may have at most ${MAX_RULES} risk rules`, "rules");
  const names = new Set<string>();
  return input.map((r, i) => {
    const name = r.name.trim();
    if (!NAME.test(name)) throw badInput(`rules[${i}].name must be 1 to 60 lower-case letters, digits, _ or -, starting with a letter or digit`, `rules[${i}].name`);
    if (names.has(name)) throw badInput(`Two rules are named '${name}'`, `rules[${i}].name`);
    names.add(name);
    const when = r.when.trim();
    try {
      compileRule(when);
    } catch (err) {
      if (err instanceof RuleRefused) throw badInput(`rules[${i}].when: ${err.message}`, `rules[${i}].when`);
      throw err;
    }
    const message = r.message?.trim() || null;
    if (message && message.length > 200) throw badInput(`rules[${i}].message must be at most 200 characters`, `rules[${i}].message`);
    return { name, action: r.action, when, mode: r.mode ?? "ACTIVE", message };
  });
}

function checkThresholds(t: NonNullable<SetRiskRulesInput["thresholds"]>): RiskThresholds {
  const set: [keyof RiskThresholds, number][] = [];
  for (const k of ["requestThreeDSecure", "review", "block"] as const) {
    const v = t[k];
    if (v === null || v === undefined) continue;
    if (!Number.isInteger(v) || v < 1 || v > 100) throw badInput(`thresholds.${k} must be a whole number from 1 to 100, or null (never by score)`, `thresholds.${k}`);
    set.push([k, v]);
  }
  for (let i = 1; i < set.length; i++) {
    if (set[i]![1] <= set[i - 1]![1]) throw badInput(`thresholds.${set[i]![0]} must be above thresholds.${set[i - 1]![0]} (3-D Secure, then review, then block)`, `thresholds.${set[i]![0]}`);
  }
  return { requestThreeDSecure: t.requestThreeDSecure ?? null, review: t.review ?? null, block: t.block ?? null };
}

function checkLargeAmounts(input: { amount: string; currency: string }[]): { currency: string; amount: string }[] {
  const seen = new Set<string>();
  return input.map((a, i) => {
    const money = Money.parsePositive(a.amount, a.currency, `largeAmounts[${i}].amount`);
    if (seen.has(money.currency)) throw badInput(`Two large amounts for ${money.currency}`, `largeAmounts[${i}].currency`);
    seen.add(money.currency);
    return { currency: money.currency, amount: money.format() };
  });
}

/** Replaces the merchant's rules (and thresholds and large amounts, when given), after checking every one. */
export async function setRiskRules(ctx: Ctx, input: SetRiskRulesInput): Promise<LoadedRiskSettings> {
  const rules = checkRules(input.rules);
  const thresholds = input.thresholds ? checkThresholds(input.thresholds) : undefined;
  const largeAmounts = input.largeAmounts ? checkLargeAmounts(input.largeAmounts) : undefined;
  const row = await ctx.app.db.$transaction(async (tx) => {
    // The merchant's row lock orders concurrent replacements: each audit record's `before` is the one it replaced.
    await tx.$queryRaw`SELECT id FROM merchant WHERE id = ${ctx.merchantId} FOR UPDATE`;
    const before = await tx.riskSettings.findUnique({ where: { merchantId: ctx.merchantId } });
    const old = before?.settings as StoredSettings | undefined;
    const settings: StoredSettings = {
      rules, thresholds: thresholds ?? old?.thresholds ?? DEFAULT_THRESHOLDS, largeAmounts: largeAmounts ?? old?.largeAmounts ?? [],
    };
    const json = settings as unknown as Prisma.InputJsonValue;
    const after = await tx.riskSettings.upsert({
      where: { merchantId: ctx.merchantId },
      create: { merchantId: ctx.merchantId, version: 1, settings: json },
      update: { version: { increment: 1 }, settings: json, updatedAt: new Date() },
    });
    await recordAudit(tx, ctx, {
      action: "risk_rules.set", entityType: "risk_settings", entityId: ctx.merchantId,
      before: before ? { version: before.version, settings: before.settings as Prisma.InputJsonValue } : null,
      after: { version: after.version, settings: json },
    });
    return after;
  });
  return settingsFromRow(row);
}
