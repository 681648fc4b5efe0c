//! How each serializer carries binary data, and JSON's `"\0"` + base64 convention.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// How a serializer carries binary data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binary {
    /// The format has a binary type: a CBOR byte string, a MessagePack `bin`.
    Native,
    /// JSON: binary is written as a string of `"\0"` + base64, and every string that starts with
    /// `"\0"` is read back as binary.
    Base64,
}

/// The base64 flavour of binary-in-JSON: standard alphabet; padding written, optional on read.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Binary data as JSON carries it: `"\0"` followed by base64.
pub(crate) fn to_nul_base64(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(1 + bytes.len().div_ceil(3) * 4);
    text.push('\0');
    BASE64.encode_string(bytes, &mut text);
    text
}

/// The binary data a JSON string carries, if it starts with `"\0"`: `None` for any other string,
/// an error (to show the peer) when the rest is not base64.
pub(crate) fn from_nul_base64(text: &str) -> Option<Result<Vec<u8>, String>> {
    let encoded = text.strip_prefix('\0')?;
    Some(
        BASE64
            .decode(encoded)
            .map_err(|e| format!("invalid base64 after \"\\0\": {e}")),
    )
}
