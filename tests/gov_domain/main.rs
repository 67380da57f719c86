//! Integration tests of governance and domain instructions (see tests/README.md).
