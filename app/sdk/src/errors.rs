//! Program errors decoded from their custom code (what a transaction failure carries):
//! name and message, read from the committed IDL, the document clients share.
use std::sync::OnceLock;

/// A program error: its code, name and the message users read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramError {
    /// Custom error code (6000 and up).
    pub code: u32,
    /// Variant name, as in the IDL (e.g. `AlreadyCredited`).
    pub name: String,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for ProgramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.name, self.code, self.message)
    }
}

/// Every program error of the committed IDL, in code order.
pub fn program_errors() -> &'static [ProgramError] {
    static ERRORS: OnceLock<Vec<ProgramError>> = OnceLock::new();
    ERRORS.get_or_init(|| {
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../../idl/deepnode.json"))
                .expect("the committed IDL is JSON");
        idl["errors"]
            .as_array()
            .expect("the IDL lists errors")
            .iter()
            .map(|e| ProgramError {
                code: e["code"]
                    .as_u64()
                    .and_then(|c| u32::try_from(c).ok())
                    .expect("code"),
                name: e["name"].as_str().expect("name").to_string(),
                message: e["msg"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    })
}

/// The program error with custom code `code`, if the program defines one.
pub fn decode_error(code: u32) -> Option<&'static ProgramError> {
    program_errors().iter().find(|e| e.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepnode::errors::DeepNodeError as E;

    /// The IDL's table agrees with the program's own enum: codes, names and messages.
    #[test]
    fn decodes_codes_to_the_programs_names_and_messages() {
        for e in [
            E::NotUpgradeAuthority,
            E::AlreadyCredited,
            E::DestinationRefused,
            E::TokenAccountMintMismatch,
        ] {
            let code = u32::from(e);
            let decoded = decode_error(code).expect("a program error");
            assert_eq!(decoded.name, e.name());
            assert_eq!(decoded.message, e.to_string());
        }
        assert_eq!(
            decode_error(6128).map(|e| e.name.as_str()),
            Some("AlreadyCredited")
        );
        assert_eq!(
            decode_error(6128).map(ToString::to_string).as_deref(),
            Some("AlreadyCredited (6128): This payout has already been credited")
        );
        assert_eq!(decode_error(2006), None, "an Anchor framework code");
        assert_eq!(decode_error(7000), None);
    }

    /// Codes run from 6000 without a gap, one per variant.
    #[test]
    fn codes_are_contiguous() {
        let errors = program_errors();
        for (i, e) in errors.iter().enumerate() {
            assert_eq!(e.code, 6000 + i as u32, "{}", e.name);
        }
        let last = errors.last().expect("errors");
        assert_eq!(last.code, u32::from(E::InvariantBroken));
    }
}
