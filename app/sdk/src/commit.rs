//! Commit-reveal attestations for clients (PROTOCOL.md §7): a validator's lines for one
//! epoch cut into batches, each with a fresh salt, committed as one Merkle root and
//! revealed batch by batch in the close grace window. The hashing is the program's own
//! (`deepnode::state::commitment`), so a reveal built here is what the program checks.
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use deepnode::state::commitment::{batch_leaf, merkle_path, merkle_root};
use deepnode::state::{Epoch, EpochStatus};
use serde::{Deserialize, Serialize};
use solana_sdk::hash::Hash;

use crate::cluster::{read, Cluster, ClusterError};
use crate::ix::{self, Attestation, Reveal};
use crate::pda;

/// A validator's batches for one epoch, ready to commit and reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batches {
    /// The domain.
    pub domain: Pubkey,
    /// The validator's key.
    pub validator: Pubkey,
    /// The epoch.
    pub epoch: u64,
    /// Each batch's lines (miner PDA, units), sorted by miner PDA as the program needs.
    pub lines: Vec<Vec<(Pubkey, u64)>>,
    /// Each batch's salt.
    pub salts: Vec<[u8; 32]>,
}

impl Batches {
    /// Cuts `lines` (new attestations; miners by key) into batches of at most `per_batch`
    /// lines, in the order of their miners' PDAs, each salted with 32 random bytes from
    /// `salt` (a source of randomness: pass a CSPRNG; the salt keeps others from guessing
    /// the units from the commitment).
    pub fn new(
        domain: Pubkey,
        validator: Pubkey,
        epoch: u64,
        lines: &[Attestation],
        per_batch: usize,
        mut salt: impl FnMut() -> [u8; 32],
    ) -> Self {
        let mut sorted: Vec<(Pubkey, u64)> = lines
            .iter()
            .map(|l| (pda::miner(&domain, &l.miner), l.units))
            .collect();
        sorted.sort_by_key(|(m, _)| *m);
        let lines: Vec<Vec<(Pubkey, u64)>> = sorted
            .chunks(per_batch.max(1))
            .map(<[(Pubkey, u64)]>::to_vec)
            .collect();
        let salts = lines.iter().map(|_| salt()).collect();
        Batches {
            domain,
            validator,
            epoch,
            lines,
            salts,
        }
    }

    /// Each batch's leaf.
    fn leaves(&self) -> Vec<[u8; 32]> {
        self.lines
            .iter()
            .zip(&self.salts)
            .enumerate()
            .map(|(i, (lines, salt))| {
                let i = u32::try_from(i).expect("fewer than 2^32 batches");
                batch_leaf(&self.domain, self.epoch, &self.validator, i, lines, salt)
            })
            .collect()
    }

    /// The Merkle root to commit and the number of batches.
    pub fn commitment(&self) -> ([u8; 32], u32) {
        let n = u32::try_from(self.lines.len()).expect("fewer than 2^32 batches");
        (merkle_root(&self.leaves()), n)
    }

    /// The batches of `lines` with as many lines each as lets every reveal, sent by
    /// `payer` with `prefix` (its compute budget), fit one legacy transaction (at most
    /// the program's cap), each salted from `salt`.
    pub fn fitting(
        domain: Pubkey,
        validator: Pubkey,
        epoch: u64,
        lines: &[Attestation],
        payer: &Pubkey,
        prefix: &[solana_sdk::instruction::Instruction],
        mut salt: impl FnMut() -> [u8; 32],
    ) -> Self {
        let max = deepnode::layouts::ATTEST.max_items;
        let mut per_batch = max;
        loop {
            // Salts do not change a reveal's size: measure with zeros, salt the winner.
            let trial = Batches::new(domain, validator, epoch, lines, per_batch, || [0; 32]);
            let fits = trial.reveals().iter().all(|r| {
                let mut ixs = prefix.to_vec();
                ixs.push(crate::ix::reveal_attestations(
                    *payer, domain, validator, epoch, r,
                ));
                crate::limits::legacy_size(&ixs, payer).0 <= crate::limits::PACKET
            });
            if fits || per_batch == 1 {
                return Batches::new(domain, validator, epoch, lines, per_batch, &mut salt);
            }
            per_batch -= 1;
        }
    }

    /// Every batch as a reveal, in order.
    pub fn reveals(&self) -> Vec<Reveal> {
        let leaves = self.leaves();
        (0..self.lines.len())
            .map(|i| Reveal {
                batch: u32::try_from(i).expect("fewer than 2^32 batches"),
                salt: self.salts[i],
                path: merkle_path(&leaves, i),
                lines: self.lines[i].clone(),
            })
            .collect()
    }
}

/// A validator's committed batches saved until the reveal window (§7): what the CLI's
/// `attest` writes on a commit-reveal domain, and what `deepnode reveal` and the keeper's
/// `--reveals DIR` send once the epoch has ended. 32-byte values in base58, as Solana
/// prints hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealFile {
    /// The domain's address.
    pub domain: String,
    /// The validator's key.
    pub validator: String,
    /// The epoch.
    pub epoch: u64,
    /// The batches, in order.
    pub batches: Vec<FileBatch>,
}

/// One batch of a [`RevealFile`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileBatch {
    /// Its index.
    pub batch: u32,
    /// Its salt.
    pub salt: String,
    /// Its Merkle path.
    pub path: Vec<String>,
    /// Its lines: (miner PDA, units).
    pub lines: Vec<(String, u64)>,
}

impl Batches {
    /// The batches as a file to reveal from later.
    pub fn to_file(&self) -> RevealFile {
        let b58 = |bytes: [u8; 32]| Hash::new_from_array(bytes).to_string();
        RevealFile {
            domain: self.domain.to_string(),
            validator: self.validator.to_string(),
            epoch: self.epoch,
            batches: self
                .reveals()
                .into_iter()
                .map(|r| FileBatch {
                    batch: r.batch,
                    salt: b58(r.salt),
                    path: r.path.into_iter().map(b58).collect(),
                    lines: r
                        .lines
                        .into_iter()
                        .map(|(m, u)| (m.to_string(), u))
                        .collect(),
                })
                .collect(),
        }
    }
}

impl RevealFile {
    /// The file's name in a reveals folder: one per domain, validator and epoch.
    pub fn name(domain: &Pubkey, validator: &Pubkey, epoch: u64) -> String {
        format!("{domain}-{validator}-{epoch}.json")
    }

    /// (domain, validator, epoch, reveals), or what does not parse.
    pub fn parse(&self) -> Result<(Pubkey, Pubkey, u64, Vec<Reveal>), String> {
        let key = |s: &str| Pubkey::from_str(s).map_err(|e| format!("{s}: {e}"));
        let hash = |s: &str| {
            Hash::from_str(s)
                .map(|h| h.to_bytes())
                .map_err(|e| format!("{s}: {e}"))
        };
        let mut reveals = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            reveals.push(Reveal {
                batch: b.batch,
                salt: hash(&b.salt)?,
                path: b.path.iter().map(|p| hash(p)).collect::<Result<_, _>>()?,
                lines: b
                    .lines
                    .iter()
                    .map(|(m, u)| key(m).map(|m| (m, *u)))
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok((
            key(&self.domain)?,
            key(&self.validator)?,
            self.epoch,
            reveals,
        ))
    }

    /// Writes the file into `dir` (created if missing); returns its path.
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let (domain, validator) = (
            Pubkey::from_str(&self.domain).unwrap_or_default(),
            Pubkey::from_str(&self.validator).unwrap_or_default(),
        );
        let path = dir.join(Self::name(&domain, &validator, self.epoch));
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&path, text)?;
        Ok(path)
    }
}

/// What became of one reveal file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevealOutcome {
    /// Its batches were revealed (how many) and the file removed.
    Revealed(usize),
    /// Its epoch has not ended: it waits.
    NotYet,
    /// Its epoch has closed: too late, the file was removed (its batches count as
    /// absent).
    TooLate,
}

/// Reveals the batches of every file in `dir` whose epoch has ended and is still open,
/// `cluster`'s payer sending (and paying the rent of the records they create); removes
/// the files it is done with. Files of epochs not yet ended wait. Each file's outcome,
/// by path.
pub async fn reveal_due(
    cluster: &mut impl Cluster,
    dir: &Path,
) -> Result<Vec<(PathBuf, RevealOutcome)>, ClusterError> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let now = cluster.now().await?;
    let payer = cluster.payer();
    for path in paths {
        let bad = |why: String| ClusterError::Decode {
            key: Pubkey::default(),
            reason: format!("{}: {why}", path.display()),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
        let file: RevealFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let (domain, validator, epoch, reveals) = file.parse().map_err(bad)?;
        let state: Option<Epoch> = read(cluster, &pda::epoch(&domain, epoch)).await?;
        let outcome = match state {
            Some(e) if e.status == EpochStatus::Open && now < e.end_ts => RevealOutcome::NotYet,
            Some(e) if e.status == EpochStatus::Open => {
                for r in &reveals {
                    let ix = ix::reveal_attestations(payer, domain, validator, epoch, r);
                    cluster.send(&[ix], &[]).await?;
                }
                RevealOutcome::Revealed(reveals.len())
            }
            _ => RevealOutcome::TooLate,
        };
        if outcome != RevealOutcome::NotYet {
            std::fs::remove_file(&path).map_err(|e| bad(e.to_string()))?;
        }
        out.push((path, outcome));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepnode::state::commitment::verify_path;

    #[test]
    fn every_reveal_verifies_against_the_commitment() {
        let domain = Pubkey::new_unique();
        let validator = Pubkey::new_unique();
        let lines: Vec<Attestation> = (0..23)
            .map(|i| Attestation {
                miner: Pubkey::new_unique(),
                units: 100 + i,
                revise: false,
            })
            .collect();
        let mut n = 0u8;
        let b = Batches::new(domain, validator, 7, &lines, 5, || {
            n += 1;
            [n; 32]
        });
        assert_eq!(
            b.lines.iter().map(Vec::len).collect::<Vec<_>>(),
            [5, 5, 5, 5, 3]
        );
        let (root, count) = b.commitment();
        assert_eq!(count, 5);
        for r in b.reveals() {
            let leaf = batch_leaf(&domain, 7, &validator, r.batch, &r.lines, &r.salt);
            assert!(verify_path(&root, leaf, r.batch, count, &r.path));
            // Sorted by miner PDA within and across batches.
            assert!(r.lines.windows(2).all(|w| w[0].0 < w[1].0));
        }
        let all: Vec<(Pubkey, u64)> = b.lines.concat();
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(all.len(), 23);
    }

    #[test]
    fn a_reveal_file_reads_back_the_same_reveals() {
        let domain = Pubkey::new_unique();
        let validator = Pubkey::new_unique();
        let lines: Vec<Attestation> = (0..5)
            .map(|i| Attestation {
                miner: Pubkey::new_unique(),
                units: i,
                revise: false,
            })
            .collect();
        let b = Batches::new(domain, validator, 9, &lines, 2, || [3; 32]);
        let file = b.to_file();
        let text = serde_json::to_string(&file).unwrap();
        let back: RevealFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back.parse(), Ok((domain, validator, 9, b.reveals())));
        assert_eq!(
            RevealFile::name(&domain, &validator, 9),
            format!("{domain}-{validator}-9.json")
        );
    }

    /// A validator's reveals, with the compute-unit limit, each fit a legacy packet: 40
    /// lines go in batches of 7 (the salt, batch index, a path of three levels and the
    /// commitment account take the room of two attest lines: an `attest` carries 9), and
    /// 8 lines would not fit.
    #[test]
    fn reveals_are_cut_to_fit_a_packet() {
        let domain = Pubkey::new_unique();
        let validator = Pubkey::new_unique();
        let lines: Vec<Attestation> = (0..40)
            .map(|i| Attestation {
                miner: Pubkey::new_unique(),
                units: 1_000 + i,
                revise: false,
            })
            .collect();
        let limit = crate::compute::budget(crate::compute::MAX_TX_UNITS, 0);
        let b = Batches::fitting(domain, validator, 3, &lines, &validator, &limit, || [9; 32]);
        let sizes: Vec<usize> = b.lines.iter().map(Vec::len).collect();
        assert_eq!(sizes, [7, 7, 7, 7, 7, 5]);
        for r in b.reveals() {
            let mut ixs = limit.clone();
            ixs.push(crate::ix::reveal_attestations(
                validator, domain, validator, 3, &r,
            ));
            assert!(crate::limits::legacy_size(&ixs, &validator).0 <= crate::limits::PACKET);
        }
        let eight = Batches::new(domain, validator, 3, &lines, 8, || [9; 32]);
        let too_big = eight.reveals().iter().any(|r| {
            let mut ixs = limit.clone();
            ixs.push(crate::ix::reveal_attestations(
                validator, domain, validator, 3, r,
            ));
            crate::limits::legacy_size(&ixs, &validator).0 > crate::limits::PACKET
        });
        assert!(too_big);
    }
}
