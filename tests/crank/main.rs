//! The epoch crank on the real program: the whole lifecycle on two domains with every
//! §11 invariant after every instruction, each step's refusals with their exact errors,
//! and the economics of settlement.
#![allow(clippy::too_many_arguments)]

mod common;
mod consensus;
mod economics;
mod guard;
mod keeper;
mod lifecycle;
mod negative;
mod offset;
