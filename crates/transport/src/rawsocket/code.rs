//! The error codes a RawSocket handshake reply can carry.

use std::fmt;

/// The error codes of a RawSocket handshake reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawSocketError {
    /// 1: the requested serializer is not supported.
    SerializerUnsupported,
    /// 2: the maximum message length is unacceptable.
    MaxLengthUnacceptable,
    /// 3: reserved bits were used (an unsupported feature).
    ReservedBits,
    /// 4: the router has reached its maximum connection count.
    MaxConnections,
    /// Any other code, as received (0 is illegal, 5 to 15 are reserved).
    Other(u8),
}

impl RawSocketError {
    /// The 4-bit code sent in the reply.
    pub fn code(self) -> u8 {
        match self {
            RawSocketError::SerializerUnsupported => 1,
            RawSocketError::MaxLengthUnacceptable => 2,
            RawSocketError::ReservedBits => 3,
            RawSocketError::MaxConnections => 4,
            RawSocketError::Other(code) => code,
        }
    }

    /// The error of a received code.
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => RawSocketError::SerializerUnsupported,
            2 => RawSocketError::MaxLengthUnacceptable,
            3 => RawSocketError::ReservedBits,
            4 => RawSocketError::MaxConnections,
            other => RawSocketError::Other(other),
        }
    }
}

impl fmt::Display for RawSocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawSocketError::SerializerUnsupported => f.write_str("serializer unsupported (1)"),
            RawSocketError::MaxLengthUnacceptable => {
                f.write_str("maximum message length unacceptable (2)")
            }
            RawSocketError::ReservedBits => f.write_str("use of reserved bits (3)"),
            RawSocketError::MaxConnections => f.write_str("maximum connection count reached (4)"),
            RawSocketError::Other(code) => write!(f, "unknown error ({code})"),
        }
    }
}
