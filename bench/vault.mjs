// The vault's cost per card, in process (no database): encrypt and decrypt under a cached data
// key (the hot path: a charge finds its DEK in the cache) versus decrypt after a provider unwrap
// (a cache miss; LocalKeyProvider here: a cloud KMS adds its network round trip on top), plus the
// fingerprint HMAC. Median of 5 rounds.
//
//   npm run build && node bench/vault.mjs [--n 20000]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { decryptEnvelope, encryptEnvelope, fingerprintWith } from "../dist/vault/envelope.js";
import { LocalKeyProvider } from "../dist/vault/provider.js";

const { values } = parseArgs({ options: { n: { type: "string", default: "20000" } } });
const N = Number(values.n);
const PAN = "4242424242424242";
const provider = new LocalKeyProvider({ kind: "static", keyring: { active: "kek1", keys: new Map([["kek1", randomBytes(32)]]), retired: new Set() }, description: "bench" });
const dek = randomBytes(32);
const ctx = { merchant: "mer_bench", dek: "dek_bench", kind: "data" };
const { kekId, wrapped } = await provider.wrap(dek, ctx);
const blob = encryptEnvelope(dek, "dek_bench", "mer_bench", "card.pan", PAN);
const fpKey = randomBytes(32);

async function measure(name, fn) {
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / N);
  }
  rounds.sort((a, b) => a - b);
  const us = rounds[2];
  console.log(`${name.padEnd(46)} ${us.toFixed(2).padStart(8)} µs/card  ${Math.round(1e6 / us).toLocaleString("en-US").padStart(10)} cards/s`);
  return us;
}

console.log(`vault cost per card, node ${process.version}, ${N} per round, median of 5`);
await measure("encrypt PAN (cached DEK)", () => encryptEnvelope(dek, "dek_bench", "mer_bench", "card.pan", PAN));
await measure("decrypt PAN (cached DEK)", () => decryptEnvelope(dek, "mer_bench", "card.pan", blob));
await measure("decrypt PAN after provider unwrap (cache miss)", async () => decryptEnvelope(await provider.unwrap(kekId, wrapped, ctx), "mer_bench", "card.pan", blob));
await measure("provider unwrap alone (LocalKeyProvider)", () => provider.unwrap(kekId, wrapped, ctx));
await measure("fingerprint (HMAC-SHA256)", () => fingerprintWith(fpKey, "mer_bench", PAN));
