// The vault's ciphertext formats, as pure functions (no database, no provider):
//  - envelope (v2): `PGV2 | len | dekId | iv(12) | tag(16) | body`, AES-256-GCM under a data key,
//    with the merchant, the data key id and the purpose as associated data: a blob moved to another
//    merchant, relabelled with another DEK, or read for another purpose fails authentication.
//  - legacy (v1, before data keys): `iv | tag | body` under an HKDF subkey of VAULT_KEY, AAD
//    `<keyId>:<merchantId><purpose>`. Read only, until `paygraph vault rewrap` re-encrypts it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { VaultError } from "./errors.js";

const MAGIC = Buffer.from("PGV2");
const IV = 12;
const TAG = 16;

const envelopeAad = (merchantId: string, dataKeyId: string, purpose: string): Buffer =>
  Buffer.from(JSON.stringify(["paygraph/vault/v2", merchantId, dataKeyId, purpose]));

export function isEnvelope(blob: Uint8Array): boolean {
  return blob.length > MAGIC.length && Buffer.from(blob.subarray(0, MAGIC.length)).equals(MAGIC);
}

/** The data key id a v2 blob names (no decryption). */
export function envelopeKeyId(blob: Uint8Array): string {
  if (!isEnvelope(blob)) throw new VaultError("vault_decrypt_failed", "Not a vault envelope");
  const len = blob[MAGIC.length]!;
  return Buffer.from(blob.subarray(MAGIC.length + 1, MAGIC.length + 1 + len)).toString("ascii");
}

export function encryptEnvelope(dek: Buffer, dataKeyId: string, merchantId: string, purpose: string, plaintext: string): Buffer {
  const id = Buffer.from(dataKeyId, "ascii");
  if (id.length > 255) throw new Error("data key id too long");
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", dek, iv);
  cipher.setAAD(envelopeAad(merchantId, dataKeyId, purpose));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), body]);
}

export function decryptEnvelope(dek: Buffer, merchantId: string, purpose: string, blob: Uint8Array): string {
  const data = Buffer.from(blob);
  const dataKeyId = envelopeKeyId(data);
  const start = MAGIC.length + 1 + data[MAGIC.length]!;
  try {
    const decipher = createDecipheriv("aes-256-gcm", dek, data.subarray(start, start + IV), { authTagLength: TAG }); // a truncated tag never authenticates
    decipher.setAAD(envelopeAad(merchantId, dataKeyId, purpose));
    decipher.setAuthTag(data.subarray(start + IV, start + IV + TAG));
    return Buffer.concat([decipher.update(data.subarray(start + IV + TAG)), decipher.final()]).toString("utf8");
  } catch {
    throw new VaultError("vault_decrypt_failed", `A ciphertext under data key ${dataKeyId} does not authenticate (tampered, or another merchant's or purpose's)`, { dataKeyId });
  }
}

// ---- legacy (v1) ----
const legacySubkey = (key: Buffer, info: string): Buffer => Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), info, 32));
/** The v1 fingerprint key: a merchant's fingerprint key is seeded with it so old fingerprints still match. */
export const legacyFingerprintKey = (key: Buffer): Buffer => legacySubkey(key, "paygraph/vault/fingerprint");

export function encryptLegacy(key: Buffer, keyId: string, merchantId: string, plaintext: string, purpose = ""): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", legacySubkey(key, "paygraph/vault/aes-256-gcm"), iv);
  cipher.setAAD(Buffer.from(`${keyId}:${merchantId}${purpose}`));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function decryptLegacy(key: Buffer, keyId: string, merchantId: string, blob: Uint8Array, purpose = ""): string {
  const data = Buffer.from(blob);
  try {
    const decipher = createDecipheriv("aes-256-gcm", legacySubkey(key, "paygraph/vault/aes-256-gcm"), data.subarray(0, IV), { authTagLength: TAG });
    decipher.setAAD(Buffer.from(`${keyId}:${merchantId}${purpose}`));
    decipher.setAuthTag(data.subarray(IV, IV + TAG));
    return Buffer.concat([decipher.update(data.subarray(IV + TAG)), decipher.final()]).toString("utf8");
  } catch {
    throw new VaultError("vault_decrypt_failed", `A pre-envelope ciphertext does not authenticate under VAULT_KEY ${keyId}`, { kekId: keyId });
  }
}

/** Same card, same merchant → same fingerprint; keyed, so it cannot be brute-forced back to a PAN. */
export function fingerprintWith(key: Buffer, merchantId: string, pan: string): string {
  return createHmac("sha256", key).update(`${merchantId}:${pan}`).digest("base64url").slice(0, 22);
}
