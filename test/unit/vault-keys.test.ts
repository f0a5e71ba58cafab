import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseKeyringJson, parseKeysEnv, readKeyringFile, serializeKeyring, withNewActiveKek, withRetiredKek, writeKeyringFile, type Keyring } from "../../src/vault/keyring.js";
import { LocalKeyProvider } from "../../src/vault/provider.js";
import { VaultError } from "../../src/vault/errors.js";
import { fingerprintWith } from "../../src/vault/envelope.js";
import { developmentKek, loadConfig } from "../../src/config.js";

const b64 = (): string => randomBytes(32).toString("base64");
const ring = (active: string, ids: string[], retired: string[] = []): Keyring => ({ active, keys: new Map(ids.map((id) => [id, randomBytes(32)])), retired: new Set(retired) });
const ctx = { merchant: "mer_a", dek: "dek_1", kind: "data" };
async function failure(p: Promise<unknown>): Promise<VaultError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(VaultError);
  return err as VaultError;
}
const dir = mkdtempSync(path.join(tmpdir(), "vault-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keyring parsing", () => {
  it("reads VAULT_KEYS with the first KEK active", () => {
    const parsed = parseKeysEnv(`kek2:${b64()}, kek1:${b64()}`);
    expect(parsed.active).toBe("kek2");
    expect([...parsed.keys.keys()]).toEqual(["kek2", "kek1"]);
  });
  it("refuses malformed VAULT_KEYS without echoing key material", () => {
    expect(() => parseKeysEnv("")).toThrow(/empty/);
    expect(() => parseKeysEnv("nocolon")).toThrow(/<kek id>:<base64 key>/);
    expect(() => parseKeysEnv(`k1:${randomBytes(16).toString("base64")}`)).toThrow(/32 bytes/);
    const dup = b64();
    expect(() => parseKeysEnv(`k1:${dup},k1:${dup}`)).toThrow(/twice/);
    try {
      parseKeysEnv(`bad id!:${dup}`);
    } catch (err) {
      expect((err as Error).message).not.toContain(dup);
    }
  });
  it("reads a key file: active must be a held key, retired ids hold no material", () => {
    const k1 = b64();
    const parsed = parseKeyringJson(JSON.stringify({ active: "k1", keys: { k1 }, retired: ["k0"] }));
    expect(parsed.active).toBe("k1");
    expect(parsed.retired.has("k0")).toBe(true);
    expect(() => parseKeyringJson("{")).toThrow(/not valid JSON/);
    expect(() => parseKeyringJson(JSON.stringify({ active: "k9", keys: { k1 } }))).toThrow(/"active"/);
    expect(() => parseKeyringJson(JSON.stringify({ active: "k1", keys: { k1 }, retired: ["k1"] }))).toThrow(/retired/);
  });
  it("rotates and retires a key file atomically, owner-only", () => {
    const file = path.join(dir, "ring.json");
    writeKeyringFile(file, ring("k1", ["k1"]));
    const rotated = withNewActiveKek(readKeyringFile(file), "k2");
    writeKeyringFile(file, rotated);
    expect(readKeyringFile(file).active).toBe("k2");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => withNewActiveKek(rotated, "k1")).toThrow(/already exists/);
    expect(() => withRetiredKek(rotated, "k2")).toThrow(/active/);
    const retired = withRetiredKek(rotated, "k1");
    expect(retired.keys.has("k1")).toBe(false);
    expect(JSON.parse(serializeKeyring(retired))).toMatchObject({ active: "k2", retired: ["k1"] });
  });
  it("config: VAULT_KEYS, VAULT_KEYRING_FILE, a lone VAULT_KEY, and the development default", () => {
    expect(loadConfig({}, { VAULT_KEYS: `a:${b64()}` }).vaultKeyring).toMatchObject({ kind: "static", description: "VAULT_KEYS" });
    expect(loadConfig({}, { VAULT_KEYRING_FILE: "/x/ring.json" }).vaultKeyring).toEqual({ kind: "file", path: "/x/ring.json" });
    const lone = loadConfig({}, { VAULT_KEY: b64() });
    expect(lone.vaultLegacyKeyId).toMatch(/^[0-9a-f]{12}$/);
    expect(lone.vaultKeyring.kind === "static" && lone.vaultKeyring.keyring.active).toBe(`vk-${lone.vaultLegacyKeyId}`);
    const dev = loadConfig({}, {});
    expect(dev.vaultKeyIsDevelopmentDefault).toBe(true);
    expect(() => loadConfig({}, { NODE_ENV: "production" })).toThrow(/VAULT_KEYRING_FILE or VAULT_KEYS is required in production/);
    expect(() => loadConfig({}, { VAULT_KEYS: `a:${b64()}`, VAULT_KEYRING_FILE: "/x" })).toThrow(/not both/);
  });
  it("production refuses the development KEK", () => {
    const devRing: Keyring = { active: "dev", keys: new Map([["dev", developmentKek()]]), retired: new Set() };
    expect(() => new LocalKeyProvider({ kind: "static", keyring: devRing, description: "t" }, { forbidden: [developmentKek()] })).toThrow(/development key/);
  });
});

describe("LocalKeyProvider", () => {
  const dek = randomBytes(32);
  it("wraps under the active KEK and unwraps under the same context", async () => {
    const p = new LocalKeyProvider({ kind: "static", keyring: ring("k1", ["k1"]), description: "t" });
    const { kekId, wrapped } = await p.wrap(dek, ctx);
    expect(kekId).toBe("k1");
    expect((await p.unwrap("k1", wrapped, ctx)).equals(dek)).toBe(true);
  });
  it("a wrapped DEK moved to another row or merchant fails, naming the KEK", async () => {
    const p = new LocalKeyProvider({ kind: "static", keyring: ring("k1", ["k1"]), description: "t" });
    const { wrapped } = await p.wrap(dek, ctx);
    const err = await failure(p.unwrap("k1", wrapped, { ...ctx, merchant: "mer_b" }));
    expect(err.code).toBe("vault_unwrap_failed");
    expect(err.kekId).toBe("k1");
    expect((await failure(p.unwrap("k1", wrapped, { ...ctx, dek: "dek_2" }))).code).toBe("vault_unwrap_failed");
  });
  it("a wrong KEK (same id, other material) fails loudly, never garbage", async () => {
    const a = new LocalKeyProvider({ kind: "static", keyring: ring("k1", ["k1"]), description: "t" });
    const b = new LocalKeyProvider({ kind: "static", keyring: ring("k1", ["k1"]), description: "t" });
    const { wrapped } = await a.wrap(dek, ctx);
    const err = await failure(b.unwrap("k1", wrapped, ctx));
    expect(err.code).toBe("vault_unwrap_failed");
    expect(err.message).toContain("k1");
  });
  it("an unknown or retired KEK is a typed error naming it", async () => {
    const p = new LocalKeyProvider({ kind: "static", keyring: ring("k2", ["k2"], ["k1"]), description: "t" });
    const retired = await failure(p.unwrap("k1", randomBytes(60), ctx));
    expect([retired.code, retired.kekId]).toEqual(["vault_kek_retired", "k1"]);
    const unknown = await failure(p.unwrap("k9", randomBytes(60), ctx));
    expect([unknown.code, unknown.kekId]).toEqual(["vault_kek_unknown", "k9"]);
  });
  it("re-reads its key file on an unknown KEK id (another process rotated it)", async () => {
    const file = path.join(dir, "reload.json");
    writeKeyringFile(file, ring("k1", ["k1"]));
    const reader = new LocalKeyProvider({ kind: "file", path: file }, { reloadEveryMs: 60_000 });
    const rotated = withNewActiveKek(readKeyringFile(file), "k2");
    writeKeyringFile(file, rotated);
    const writer = new LocalKeyProvider({ kind: "file", path: file });
    const { kekId, wrapped } = await writer.wrap(dek, ctx);
    expect(kekId).toBe("k2");
    expect((await reader.unwrap("k2", wrapped, ctx)).equals(dek)).toBe(true);
  });
  it("a fingerprint key re-wrapped under a new KEK gives the same fingerprints", async () => {
    const file = path.join(dir, "fp.json");
    writeKeyringFile(file, ring("k1", ["k1"]));
    const p = new LocalKeyProvider({ kind: "file", path: file });
    const fpKey = randomBytes(32);
    const fpCtx = { merchant: "mer_a", dek: "dek_fp", kind: "fingerprint" };
    const before = fingerprintWith(fpKey, "mer_a", "4242424242424242");
    const old = await p.wrap(fpKey, fpCtx);
    writeKeyringFile(file, withNewActiveKek(readKeyringFile(file), "k2"));
    await p.reload();
    const rewrapped = await p.wrap(await p.unwrap(old.kekId, old.wrapped, fpCtx), fpCtx);
    expect(rewrapped.kekId).toBe("k2");
    writeKeyringFile(file, withRetiredKek(readKeyringFile(file), "k1"));
    await p.reload();
    expect((await failure(p.unwrap("k1", old.wrapped, fpCtx))).code).toBe("vault_kek_retired");
    expect(fingerprintWith(await p.unwrap("k2", rewrapped.wrapped, fpCtx), "mer_a", "4242424242424242")).toBe(before);
    expect(readFileSync(file, "utf8")).not.toContain(old.wrapped.toString("base64"));
  });
});
