// The card vault, envelope-encrypted: each PAN (and each sealed secret) is AES-256-GCM encrypted
// with the merchant's current data key (src/vault/data-keys.ts), the merchant, data key id and
// purpose bound in as associated data; data keys are stored wrapped by a key-encryption key of
// the KeyProvider (src/vault/provider.ts). Only brand, BIN (first 6), last4, issuing country,
// expiry and a keyed fingerprint are readable. The CVC is never stored.
//
// Rows sealed before data keys (v1, directly under VAULT_KEY) are still read with that key until
// `paygraph vault rewrap` re-encrypts them (src/vault/rotation.ts).
import type { Config } from "../config.js";
import { developmentKek } from "../config.js";
import type { Db, Tx } from "../platform/db.js";
import type { Logger } from "../platform/logger.js";
import { newId } from "../platform/ids.js";
import type { PaymentMethod } from "../generated/prisma/client.js";
import type { CardDetails } from "../gateways/gateway.js";
import type { ValidCard } from "./card.js";
import { DataKeys } from "./data-keys.js";
import { decryptEnvelope, decryptLegacy, encryptEnvelope, envelopeKeyId, fingerprintWith, isEnvelope, legacyFingerprintKey } from "./envelope.js";
import { VaultError } from "./errors.js";
import { LocalKeyProvider, type KeyProvider } from "./provider.js";

export { VaultError } from "./errors.js";

/** The purpose bound into a card number's ciphertext. */
export const PAN_PURPOSE = "card.pan";

export class Vault {
  constructor(
    readonly keys: DataKeys,
    readonly provider: KeyProvider,
    readonly log: Logger,
    /** The pre-envelope VAULT_KEY and the id old rows carry; undefined once nothing needs it. */
    readonly legacy: { key: Buffer; id: string } | undefined,
  ) {}
}

export function createKeyProvider(config: Config): LocalKeyProvider {
  return new LocalKeyProvider(config.vaultKeyring, {
    reloadEveryMs: config.vaultKeyringReloadMs,
    ...(config.env === "production" ? { forbidden: [developmentKek()] } : {}),
  });
}

export function createVault(config: Config, db: Db, log: Logger, provider: KeyProvider = createKeyProvider(config)): Vault {
  const legacy = config.vaultLegacyKey && config.vaultLegacyKeyId ? { key: config.vaultLegacyKey, id: config.vaultLegacyKeyId } : undefined;
  const keys = new DataKeys(db, provider, log, {
    maxUses: config.vaultDekMaxUses,
    maxAgeMs: config.vaultDekMaxAgeMs,
    cacheMs: config.vaultDekCacheMs,
    cacheSize: config.vaultDekCacheSize,
    ...(legacy ? { fingerprintSeed: legacyFingerprintKey(legacy.key) } : {}),
  });
  return new Vault(keys, provider, log, legacy);
}

function legacyKey(vault: Vault, keyId: string): Buffer {
  if (vault.legacy && vault.legacy.id === keyId) return vault.legacy.key;
  const err = new VaultError("vault_legacy_key_missing", `A pre-envelope row was sealed by VAULT_KEY ${keyId}, which is not configured: set VAULT_KEY to it and run 'paygraph vault rewrap'`, { kekId: keyId });
  vault.log.error({ code: err.code, kekId: keyId }, err.message);
  throw err;
}

/**
 * Seals a secret for one merchant and one purpose (the associated data): a ciphertext moved to
 * another merchant or read for another purpose fails authentication. The blob names its data key.
 */
export async function seal(vault: Vault, merchantId: string, plaintext: string, purpose = ""): Promise<Buffer> {
  const dek = await vault.keys.currentKey(merchantId);
  return encryptEnvelope(dek.key, dek.id, merchantId, purpose, plaintext);
}

/** Throws a VaultError on a wrong or retired KEK, another merchant's ciphertext, or any tampering. */
export async function unseal(vault: Vault, merchantId: string, blob: Uint8Array, purpose = ""): Promise<string> {
  if (!isEnvelope(blob)) {
    // A v1 blob does not say which VAULT_KEY sealed it: the configured one is the only candidate.
    const id = vault.legacy?.id ?? "(not configured)";
    return decryptLegacy(legacyKey(vault, id), id, merchantId, blob, purpose);
  }
  const key = await vault.keys.byId(envelopeKeyId(blob), merchantId);
  return decryptEnvelope(key, merchantId, purpose, blob);
}

/** Same card, same merchant → same fingerprint; keyed, so it cannot be brute-forced back to a PAN. */
export async function fingerprint(vault: Vault, merchantId: string, pan: string): Promise<string> {
  return fingerprintWith(await vault.keys.fingerprintKey(merchantId), merchantId, pan);
}

export async function encryptPan(vault: Vault, merchantId: string, pan: string): Promise<{ ciphertext: Buffer; dataKeyId: string }> {
  const dek = await vault.keys.currentKey(merchantId);
  return { ciphertext: encryptEnvelope(dek.key, dek.id, merchantId, PAN_PURPOSE, pan), dataKeyId: dek.id };
}

/** `keyId` is the row's key_id: a data key id (`dek_…`), or the VAULT_KEY id of a pre-envelope row. */
export async function decryptPan(vault: Vault, merchantId: string, keyId: string, blob: Uint8Array): Promise<string> {
  if (!keyId.startsWith("dek_")) return decryptLegacy(legacyKey(vault, keyId), keyId, merchantId, blob);
  if (!isEnvelope(blob) || envelopeKeyId(blob) !== keyId) throw new VaultError("vault_decrypt_failed", `The card ciphertext does not name its data key ${keyId}`, { dataKeyId: keyId });
  return decryptEnvelope(await vault.keys.byId(keyId, merchantId), merchantId, PAN_PURPOSE, blob);
}

/** A card encrypted and fingerprinted, ready to be stored by `vaultCard`. */
export interface SealedCard {
  merchantId: string;
  card: Omit<ValidCard, "number" | "cvc">;
  fingerprint: string;
  ciphertext: Buffer;
  dataKeyId: string;
}

/**
 * The provider and data-key work, outside any transaction: call it before opening one where you
 * can (confirmPayment does), so a transaction never waits on a second pooled connection that
 * creating or reserving a data key uses.
 */
export async function sealCard(vault: Vault, merchantId: string, card: ValidCard): Promise<SealedCard> {
  const [print, sealed] = await Promise.all([fingerprint(vault, merchantId, card.number), encryptPan(vault, merchantId, card.number)]);
  const { number: _number, cvc: _cvc, ...visible } = card;
  return { merchantId, card: visible, fingerprint: print, ciphertext: sealed.ciphertext, dataKeyId: sealed.dataKeyId };
}

/** The vault's row of a card sealed for `merchantId`, exactly as its INSERT leaves it. */
export function cardRow(sealed: SealedCard, merchantId: string): PaymentMethod {
  if (sealed.merchantId !== merchantId) throw new Error("the card was sealed for another merchant");
  const card = sealed.card;
  return {
    id: newId("pm"), merchantId: sealed.merchantId, brand: card.brand, last4: card.last4, bin: card.bin, country: card.country,
    expMonth: card.expMonth, expYear: card.expYear, fingerprint: sealed.fingerprint,
    ciphertext: new Uint8Array(sealed.ciphertext), keyId: sealed.dataKeyId, createdAt: new Date(),
  };
}

/** Stores a card: pass a SealedCard (sealed before the transaction) or a ValidCard (sealed now). */
export async function vaultCard(tx: Tx, vault: Vault, merchantId: string, input: ValidCard | SealedCard): Promise<PaymentMethod> {
  const sealed = "ciphertext" in input ? input : await sealCard(vault, merchantId, input);
  return tx.paymentMethod.create({ data: cardRow(sealed, merchantId) });
}

export async function cardDetails(vault: Vault, method: PaymentMethod): Promise<CardDetails> {
  return { number: await decryptPan(vault, method.merchantId, method.keyId, method.ciphertext), expMonth: method.expMonth, expYear: method.expYear };
}
