// The card vault: the PAN is encrypted with AES-256-GCM (random 96-bit IV, 128-bit tag, the key id
// and merchant bound in as associated data, so a ciphertext cannot be moved to another merchant).
// Only brand, BIN (first 6), last4, issuing country, expiry and a keyed fingerprint are readable. The CVC is never stored.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Config } from "../config.js";
import type { Tx } from "../platform/db.js";
import { newId } from "../platform/ids.js";
import type { PaymentMethod } from "../generated/prisma/client.js";
import type { CardDetails } from "../gateways/gateway.js";
import type { ValidCard } from "./card.js";

type VaultKey = Pick<Config, "vaultKey" | "vaultKeyId">;

// One configured key, two uses: each gets its own HKDF subkey, so the fingerprint HMAC and the
// cipher never share key material.
const subkeys = new WeakMap<Buffer, { encryption: Buffer; fingerprint: Buffer }>();
function subkeysOf(key: VaultKey): { encryption: Buffer; fingerprint: Buffer } {
  let derived = subkeys.get(key.vaultKey);
  if (!derived) {
    const derive = (info: string): Buffer => Buffer.from(hkdfSync("sha256", key.vaultKey, Buffer.alloc(0), info, 32));
    derived = { encryption: derive("paygraph/vault/aes-256-gcm"), fingerprint: derive("paygraph/vault/fingerprint") };
    subkeys.set(key.vaultKey, derived);
  }
  return derived;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a secret for one merchant and one purpose (the associated data): a ciphertext moved to
 * another merchant or read for another purpose fails authentication.
 */
export function seal(key: VaultKey, merchantId: string, plaintext: string, purpose = ""): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", subkeysOf(key).encryption, iv);
  cipher.setAAD(Buffer.from(`${key.vaultKeyId}:${merchantId}${purpose}`));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Throws on a wrong key, another merchant's ciphertext, or any tampering (GCM authentication). */
export function unseal(key: VaultKey, merchantId: string, blob: Uint8Array, purpose = ""): string {
  const data = Buffer.from(blob);
  const decipher = createDecipheriv("aes-256-gcm", subkeysOf(key).encryption, data.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(`${key.vaultKeyId}:${merchantId}${purpose}`));
  decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

export const encryptPan = (key: VaultKey, merchantId: string, pan: string): Buffer => seal(key, merchantId, pan);
export const decryptPan = (key: VaultKey, merchantId: string, blob: Uint8Array): string => unseal(key, merchantId, blob);

/** Same card, same merchant → same fingerprint; keyed, so it cannot be brute-forced back to a PAN. */
export function fingerprint(key: VaultKey, merchantId: string, pan: string): string {
  return createHmac("sha256", subkeysOf(key).fingerprint).update(`${merchantId}:${pan}`).digest("base64url").slice(0, 22);
}

export async function vaultCard(tx: Tx, key: VaultKey, merchantId: string, card: ValidCard): Promise<PaymentMethod> {
  return tx.paymentMethod.create({
    data: {
      id: newId("pm"),
      merchantId,
      brand: card.brand,
      last4: card.last4,
      bin: card.bin,
      country: card.country,
      expMonth: card.expMonth,
      expYear: card.expYear,
      fingerprint: fingerprint(key, merchantId, card.number),
      ciphertext: new Uint8Array(encryptPan(key, merchantId, card.number)),
      keyId: key.vaultKeyId,
    },
  });
}

export function cardDetails(key: VaultKey, method: PaymentMethod): CardDetails {
  return { number: decryptPan(key, method.merchantId, method.ciphertext), expMonth: method.expMonth, expYear: method.expYear };
}
