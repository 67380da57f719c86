//! Commit-reveal attestations (PROTOCOL.md §7): a validator's commitment to the batches
//! of attestations it will reveal for one epoch.
use anchor_lang::prelude::*;
use solana_sha256_hasher::hashv;

/// A validator's commitment for one epoch of a commit-reveal domain: the Merkle root of
/// its batches' hashes (leaf `i` is [`batch_leaf`] of batch `i`). One account, and one
/// transaction, whatever the number of batches; a batch is revealed with its Merkle
/// path. Seeds: `[COMMITMENT_SEED, domain, validator, epoch.to_le_bytes()]`, where
/// `validator` is the validator's key. Closed once its epoch closed, rent back.
#[account]
#[derive(InitSpace, Debug)]
pub struct Commitment {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// The committing validator's key.
    pub validator: Pubkey,
    /// Epoch committed for.
    pub epoch: u64,
    /// Merkle root of the batches' leaves.
    pub root: [u8; 32],
    /// Number of batches committed (leaves of the tree).
    pub batches: u32,
    /// Batches revealed so far (saturates: a statistic).
    pub revealed: u32,
    /// Who paid the rent (the validator; gets it back when the account closes).
    pub rent_payer: Pubkey,
}

impl Commitment {
    /// Checks the commitment is coherent: at least one batch, never more revealed than
    /// committed (a batch revealed twice fails on its first line).
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.batches >= 1 && self.revealed <= self.batches,
            crate::errors::DeepNodeError::InvariantBroken
        );
        Ok(())
    }
}

/// Domain separation of a batch leaf.
const LEAF_TAG: &[u8] = b"deepnode:attest-batch";
/// Domain separation of an inner node.
const NODE_TAG: &[u8] = b"deepnode:attest-node";

/// The leaf of batch `batch` (§7: `hash(domain, epoch, validator, i, lines, salt)`): its
/// lines are `(miner PDA, units)` in the order revealed.
pub fn batch_leaf(
    domain: &Pubkey,
    epoch: u64,
    validator: &Pubkey,
    batch: u32,
    lines: &[(Pubkey, u64)],
    salt: &[u8; 32],
) -> [u8; 32] {
    let epoch_le = epoch.to_le_bytes();
    let batch_le = batch.to_le_bytes();
    let mut body = Vec::with_capacity(lines.len().saturating_mul(40));
    for (miner, units) in lines {
        body.extend_from_slice(miner.as_ref());
        body.extend_from_slice(&units.to_le_bytes());
    }
    hashv(&[
        LEAF_TAG,
        domain.as_ref(),
        &epoch_le,
        validator.as_ref(),
        &batch_le,
        &body,
        salt,
    ])
    .to_bytes()
}

/// The parent of two nodes.
fn parent(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    hashv(&[NODE_TAG, left, right]).to_bytes()
}

/// The Merkle root of `leaves` (a level with an odd count carries its last node up
/// unchanged); the zero hash for none.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    let mut level: Vec<[u8; 32]> = leaves.to_vec();
    if level.is_empty() {
        return [0; 32];
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => parent(l, r),
                [only] => *only,
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    level[0]
}

/// The Merkle path of leaf `index` among `leaves` (siblings from the leaf up; a level
/// where the node has no sibling adds nothing).
pub fn merkle_path(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    let mut path = Vec::new();
    let mut level: Vec<[u8; 32]> = leaves.to_vec();
    let mut i = index;
    while level.len() > 1 {
        let sibling = i ^ 1;
        if sibling < level.len() {
            path.push(level[sibling]);
        }
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => parent(l, r),
                [only] => *only,
                _ => unreachable!("chunks of two"),
            })
            .collect();
        i /= 2;
    }
    path
}

/// Whether `leaf` is leaf `index` of a tree of `count` leaves with root `root`, by its
/// `path` (as [`merkle_path`] builds it). Computed without allocating.
pub fn verify_path(
    root: &[u8; 32],
    leaf: [u8; 32],
    index: u32,
    count: u32,
    path: &[[u8; 32]],
) -> bool {
    if index >= count {
        return false;
    }
    let (mut node, mut i, mut width) = (leaf, index, count);
    let mut siblings = path.iter();
    while width > 1 {
        let sibling = i ^ 1;
        if sibling < width {
            let Some(s) = siblings.next() else {
                return false;
            };
            node = if i % 2 == 0 {
                parent(&node, s)
            } else {
                parent(s, &node)
            };
        }
        i /= 2;
        width = width.div_ceil(2);
    }
    siblings.next().is_none() && node == *root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| hashv(&[&(i as u64).to_le_bytes()]).to_bytes())
            .collect()
    }

    #[test]
    fn every_leaf_of_every_tree_size_verifies_and_no_other() {
        for n in 1..=20 {
            let l = leaves(n);
            let root = merkle_root(&l);
            for i in 0..n {
                let path = merkle_path(&l, i);
                assert!(
                    verify_path(&root, l[i], i as u32, n as u32, &path),
                    "{n} {i}"
                );
                // Another index, another leaf, another count, or a shortened path fail.
                let other = (i + 1) % n;
                if other != i {
                    assert!(!verify_path(&root, l[i], other as u32, n as u32, &path));
                    assert!(!verify_path(&root, l[other], i as u32, n as u32, &path));
                }
                if !path.is_empty() {
                    assert!(!verify_path(&root, l[i], i as u32, n as u32, &path[1..]));
                }
            }
            assert!(!verify_path(&root, l[0], n as u32, n as u32, &[]));
        }
        assert_eq!(merkle_root(&[]), [0; 32]);
    }

    #[test]
    fn a_leaf_binds_every_field() {
        let (d, v, m) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let salt = [7; 32];
        let base = batch_leaf(&d, 3, &v, 0, &[(m, 10)], &salt);
        assert_ne!(base, batch_leaf(&v, 3, &v, 0, &[(m, 10)], &salt));
        assert_ne!(base, batch_leaf(&d, 4, &v, 0, &[(m, 10)], &salt));
        assert_ne!(base, batch_leaf(&d, 3, &d, 0, &[(m, 10)], &salt));
        assert_ne!(base, batch_leaf(&d, 3, &v, 1, &[(m, 10)], &salt));
        assert_ne!(base, batch_leaf(&d, 3, &v, 0, &[(m, 11)], &salt));
        assert_ne!(base, batch_leaf(&d, 3, &v, 0, &[(v, 10)], &salt));
        assert_ne!(base, batch_leaf(&d, 3, &v, 0, &[(m, 10)], &[8; 32]));
        assert_eq!(base, batch_leaf(&d, 3, &v, 0, &[(m, 10)], &salt));
    }
}
