// The audit chain's hash: SHA-256 over the RFC 8785 canonical JSON of the record and its
// predecessor's hash. Checked against bytes written out by hand, so a change of library or of
// field set that would silently change every stored hash fails here first.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalRecord, recordHash, type HashedRecord } from "../../src/audit/hash.js";

const record: HashedRecord = {
  id: "aud_1", merchantId: "mer_1", seq: 1n, actor: "key:key_1", action: "api_key.created", entityType: "api_key", entityId: "key_1",
  requestId: "req-1", before: null, after: { z: 1, a: [true, null, "é"], m: { y: 1.5, b: 1e21 } }, createdAt: new Date("2026-11-25T12:00:00.123Z"), prevHash: GENESIS_HASH,
};

describe("audit record hash", () => {
  it("serialises by RFC 8785: sorted keys, no whitespace, ES number forms, UTF-8 kept", () => {
    const expected =
      '{"action":"api_key.created","actor":"key:key_1","after":{"a":[true,null,"é"],"m":{"b":1e+21,"y":1.5},"z":1},"before":null,' +
      '"createdAt":"2026-11-25T12:00:00.123Z","entityId":"key_1","entityType":"api_key","id":"aud_1","merchantId":"mer_1",' +
      `"prevHash":"${GENESIS_HASH}","requestId":"req-1","seq":1,"v":1}`;
    expect(canonicalRecord(record)).toBe(expected);
    expect(recordHash(record)).toBe(createHash("sha256").update(expected, "utf8").digest("hex"));
  });

  it("does not depend on the order keys were written in (jsonb reorders them)", () => {
    const reordered = { ...record, after: { m: { b: 1e21, y: 1.5 }, a: [true, null, "é"], z: 1 } };
    expect(recordHash(reordered)).toBe(recordHash(record));
  });

  it("changes with every covered field, the previous hash included", () => {
    const base = recordHash(record);
    const variants: Partial<HashedRecord>[] = [
      { id: "aud_2" }, { merchantId: "mer_2" }, { seq: 2n }, { actor: "cli" }, { action: "api_key.revoked" }, { entityType: "x" }, { entityId: "key_2" },
      { requestId: "req-2" }, { before: {} }, { after: { z: 2 } }, { createdAt: new Date("2026-11-25T12:00:00.124Z") }, { prevHash: "f".repeat(64) },
    ];
    const hashes = variants.map((v) => recordHash({ ...record, ...v }));
    for (const h of hashes) expect(h).not.toBe(base);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it("tells null from an absent view and a string from a number", () => {
    expect(recordHash({ ...record, before: {} })).not.toBe(recordHash(record));
    expect(recordHash({ ...record, after: { z: "1" } })).not.toBe(recordHash({ ...record, after: { z: 1 } }));
  });
});
