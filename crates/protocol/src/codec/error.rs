//! What can go wrong when encoding or decoding, and the nesting limit every codec enforces.

/// The deepest nesting of lists and maps that the codecs read or write, the message's own list
/// counting as the first level (so a payload inside `Arguments|list` may nest 62 levels more).
///
/// Deeper data is a [`DecodeError::Syntax`] (or an [`EncodeError`]), never a stack overflow.
/// 64 is below the limits of the parsers themselves (128 for the JSON and CBOR parsers, 1024 for
/// the MessagePack one), so the same rule holds for every serializer.
pub const MAX_DEPTH: usize = 64;

/// Why bytes could not be decoded as a WAMP message.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid data of the serializer, nest deeper than [`MAX_DEPTH`], have
    /// trailing bytes, a map key that is not a string, or (JSON) a `"\0"` string that is not
    /// base64.
    #[error("invalid {codec} data: {reason}")]
    Syntax {
        /// The serializer's name.
        codec: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// The data is valid but not a WAMP message of a known shape.
    #[error("not a valid WAMP message: {0}")]
    Shape(String),
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EncodeError {
    /// The serializer refused the value: a float that is not finite in JSON, or lists and maps
    /// nested deeper than [`MAX_DEPTH`].
    #[error("cannot encode as {codec}: {reason}")]
    Unsupported {
        /// The serializer's name.
        codec: &'static str,
        /// What the serializer said.
        reason: String,
    },
}

/// The error text for data nested past [`MAX_DEPTH`].
pub(crate) const TOO_DEEP: &str = "lists and maps nested deeper than 64 levels";

/// [`TOO_DEEP`], owned.
pub(crate) fn too_deep() -> String {
    TOO_DEEP.to_owned()
}

/// The error text for a float JSON cannot write.
pub(crate) fn not_finite(f: f64) -> String {
    format!("JSON has no {f}: only finite numbers can be written")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_depth_error_names_the_limit() {
        assert!(TOO_DEEP.contains(&format!(" {MAX_DEPTH} ")), "{TOO_DEEP}");
    }
}
