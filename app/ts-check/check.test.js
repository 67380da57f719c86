// The Anchor TypeScript client, reading the committed IDL, must encode `pay` and
// `attest` to the very bytes the Rust SDK builds, and decode (and re-encode) an epoch
// book the Rust tests left on chain exactly as the Rust decoder reads it. The Rust
// side writes its fixtures when DEEPNODE_TS_FIXTURES names a folder (.ci/run does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import anchor from "@anchor-lang/core";

const { BorshCoder, BN } = anchor;

const here = path.dirname(fileURLToPath(import.meta.url));
const idl = JSON.parse(readFileSync(path.join(here, "../../idl/deepnode.json"), "utf8"));
const dir = process.env.DEEPNODE_TS_FIXTURES;
assert.ok(dir, "DEEPNODE_TS_FIXTURES must name the folder the Rust tests wrote");
const fx = JSON.parse(readFileSync(path.join(dir, "fixtures.json"), "utf8"));
const coder = new BorshCoder(idl);
const hex = (bytes) => Buffer.from(bytes).toString("hex");

test("pay encodes as the Rust SDK does", () => {
  const data = coder.instruction.encode("pay", {
    shard: fx.pay.shard,
    amount: new BN(fx.pay.amount),
    usage_units: new BN(fx.pay.usage_units),
  });
  assert.equal(hex(data), fx.pay.data);
});

test("attest encodes as the Rust SDK does", () => {
  const data = coder.instruction.encode("attest", {
    epoch_index: new BN(fx.attest.epoch_index),
    lines: [{ units: new BN(fx.attest.units), revise: fx.attest.revise }],
  });
  assert.equal(hex(data), fx.attest.data);
});

test("an epoch book decodes as the Rust SDK reads it and re-encodes to its bytes", async () => {
  const raw = Buffer.from(fx.epoch_book.data, "hex");
  const b = coder.accounts.decode("EpochBook", raw);
  const expected = fx.epoch_book;
  assert.equal(b.domain.toBase58(), expected.domain);
  assert.equal(b.epoch.toString(), expected.epoch);
  assert.equal(b.total_verified.toString(), expected.total_verified);
  assert.equal(b.total_agreeing.toString(), expected.total_agreeing);
  assert.equal(b.voters[0].weight.toString(), expected.voter_weight);
  assert.equal(b.settlement.dn_pools[0].toString(), expected.miners_pool);
  assert.equal(b.settlement.settled_by.toBase58(), expected.settled_by);
  assert.equal(b.bump, expected.bump);
  const again = await coder.accounts.encode("EpochBook", b);
  // The account is allocated for its largest form: an absent Option (the settlement's
  // §13 value_guard) encodes as 1 byte of the 19 kept for it, and the 18 left at the end
  // of the allocation are zero.
  assert.equal(raw.length - again.length, 18);
  assert.equal(hex(again), hex(raw.subarray(0, again.length)));
  assert.ok(raw.subarray(again.length).every((byte) => byte === 0));
  assert.equal(b.settlement.value_guard, null);
});
