#!/usr/bin/env python3
"""Drives DeepNode on a real `solana-test-validator` over JSON-RPC with the `deepnode`
CLI and the `deepnode-keeper` bot (not part of CI: 1,145 s measured, most of it waiting
for three epochs' 300 s close grace; see README "Against a real validator").

Needs: `cargo build -p deepnode-cli -p deepnode-keeper`, the SBF build
(`target/deploy/deepnode.so`), `pip install "solana==0.36.*" solders`, and a validator
started with the key `keygen` writes as the program's upgrade authority.

  drive.py keygen DIR      writes DIR/gov.json (start the validator with it as the
                           program's upgrade authority)
  drive.py run DIR         sets up wallets and mints (solana-py), then runs the CLI and
                           the keeper over --url: deploy, stake, register, mint a model,
                           pay, attest, and three epochs closed and settled by the keeper
"""
import json
import subprocess
import sys
import time
from pathlib import Path

from solana.rpc.api import Client
from solana.rpc.commitment import Confirmed
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from spl.token.client import Token
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import AuthorityType, get_associated_token_address

URL = "http://127.0.0.1:8899"
PROGRAM = Pubkey.from_string("HxB3T8DHvrvP6o6w5aVqsaT8DApcmkMftHtQGnJd9ijm")
REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "target/debug/deepnode"
KEEPER = REPO / "target/debug/deepnode-keeper"
GRACE = 300


def save(kp: Keypair, path: Path) -> None:
    path.write_text(json.dumps(list(bytes(kp))))


def load(path: Path) -> Keypair:
    return Keypair.from_bytes(bytes(json.loads(path.read_text())))


def cli(key: Path, *args: str) -> dict:
    out = subprocess.run([str(CLI), "--url", URL, "--keypair", str(key), "--json", *args],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"deepnode {' '.join(args)}: {out.stderr.strip()}")
    doc = json.loads(out.stdout)
    print(f"deepnode {' '.join(args)} -> {json.dumps(doc)[:160]}", flush=True)
    return doc


def keeper(key: Path) -> None:
    start = time.time()
    out = subprocess.run([str(KEEPER), "--url", URL, "--keypair", str(key), "--once", "--push", "--json"],
                         capture_output=True, text=True)
    lines = [json.loads(l) for l in out.stderr.splitlines() if l.startswith("{")]
    for l in lines:
        f = l.get("fields", {})
        if f.get("message") == "action":
            print(f"  keeper: {f['step']} domain {f['domain']} epoch {f['epoch']} x{f['items']}: {f['outcome']}")
        elif f.get("message") == "pass":
            print(f"  keeper pass ({time.time() - start:.1f} s): " + json.dumps({k: v for k, v in f.items() if k != 'message'}))
    if out.returncode != 0:
        raise SystemExit(f"keeper: {out.stderr.strip()[-400:]}")


def wait_closable(key: Path) -> None:
    epoch = cli(key, "epoch", "show", "0")
    while True:
        now = Client(URL).get_block_time(Client(URL).get_slot().value).value
        due = epoch["end_ts"] + GRACE
        if now >= due + 2:
            return
        time.sleep(min(30, due + 2 - now))


def run(d: Path) -> None:
    t0 = time.time()
    c = Client(URL, commitment=Confirmed)
    gov = load(d / "gov.json")
    names = ["v1", "v2", "miner", "alice", "carol", "keeper", "foundation"]
    kps = {n: Keypair() for n in names}
    for n, kp in kps.items():
        save(kp, d / f"{n}.json")
    save(gov, d / "gov.json")
    for kp in [gov, *kps.values()]:
        sig = c.request_airdrop(kp.pubkey(), 100_000_000_000).value
        c.confirm_transaction(sig)
    # solana-py signs token instructions with the payer only: governance is the mints'
    # first authority (the DN mint's is then handed to the program).
    temp = gov
    dn = Token.create_mint(c, gov, temp.pubkey(), 6, TOKEN_PROGRAM_ID)
    for n, amount in [("v1", 100_000), ("v2", 100_000), ("foundation", 0)]:
        ata = dn.create_associated_token_account(kps[n].pubkey())
        if amount:
            dn.mint_to(ata, temp, amount)
    mint_authority, _ = Pubkey.find_program_address([b"mint_authority"], PROGRAM)
    dn.set_authority(dn.pubkey, temp, AuthorityType.MINT_TOKENS, mint_authority)
    usdc_authority = gov
    usdc = Token.create_mint(c, gov, usdc_authority.pubkey(), 6, TOKEN_PROGRAM_ID)
    usdc.mint_to(usdc.create_associated_token_account(kps["carol"].pubkey()), usdc_authority, 1_000_000_000)
    print(f"set-up (wallets, DN and USDC mints): {time.time() - t0:.1f} s", flush=True)

    cfg = json.loads((REPO / "migrations/config.example.json").read_text())
    cfg["dn"].update(mint=str(dn.pubkey), foundation_owner=None,
                     foundation=str(get_associated_token_address(kps["foundation"].pubkey(), dn.pubkey)))
    cfg["bounds"]["min_epoch_secs"] = 1
    dom = cfg["domains"][0]
    dom.update(revenue_mint=str(usdc.pubkey), fee_authority=str(gov.pubkey()), shard_count=2)
    dom["settings"]["epoch_secs"] = 1
    (d / "deploy.json").write_text(json.dumps(cfg))
    g = d / "gov.json"
    k = {n: d / f"{n}.json" for n in names}
    cli(g, "deploy", "--config", str(d / "deploy.json"))
    cli(g, "deploy", "--config", str(d / "deploy.json"))
    cli(g, "protocol", "show")
    for v in ["v1", "v2"]:
        cli(k[v], "stake", "0", "100000")
    wait_closable(g)
    keeper(k["keeper"])
    for v in ["v1", "v2"]:
        cli(k[v], "register", "validator", "0")
    cli(k["miner"], "register", "miner", "0")
    wait_closable(g)
    keeper(k["keeper"])
    cli(k["alice"], "model", "mint", "0", "--owner-share-bps", "2000")
    cli(k["carol"], "pay", "0", "0", "10000000")
    m = str(kps["miner"].pubkey())
    cli(k["v1"], "attest", "0", f"{m}=100")
    cli(k["v2"], "attest", "0", f"{m}=102")
    busy = cli(g, "epoch", "show", "0")["index"]
    wait_closable(g)
    keeper(k["keeper"])
    cli(g, "epoch", "show", "0", str(busy))
    owed = cli(k["miner"], "claimable", "0")
    cli(k["miner"], "claim", "0")
    cli(k["alice"], "claim", "0")
    print(f"miner's credited balance: {owed['balance']}")
    print(f"total: {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    mode, d = sys.argv[1], Path(sys.argv[2])
    d.mkdir(parents=True, exist_ok=True)
    if mode == "keygen":
        kp = Keypair()
        save(kp, d / "gov.json")
        print(kp.pubkey())
    else:
        run(d)
