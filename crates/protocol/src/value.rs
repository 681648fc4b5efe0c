//! The dynamic payload value shared by every serializer.

use std::collections::BTreeMap;

/// A dictionary: string keys, unique, unordered on the wire.
pub type Dict = BTreeMap<String, Value>;

/// A list of values, as carried in `Arguments|list`.
pub type List = Vec<Value>;

/// One WAMP value, able to cross from any serializer to any other.
///
/// `serde_json::Value` cannot carry binary data, so this is the payload type. Integers keep the
/// whole `i64` and `u64` range: a value that fits in `i64` is always held as [`Value::Int`], and
/// [`Value::UInt`] holds only values above `i64::MAX`, so equal numbers compare equal.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// JSON `null`, CBOR `null`/`undefined`, MessagePack `nil`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer (every integer that fits in `i64`).
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A floating point number.
    Float(f64),
    /// A Unicode string.
    Str(String),
    /// Binary data: a CBOR byte string, a MessagePack `bin`, in JSON `"\0"` + base64.
    Bytes(Vec<u8>),
    /// A list.
    List(List),
    /// A dictionary with string keys.
    Map(Dict),
}

impl Value {
    /// An unsigned integer, held as [`Value::Int`] when it fits.
    pub fn from_u64(n: u64) -> Value {
        match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::UInt(n),
        }
    }

    /// The value as a non-negative integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Int(i) => u64::try_from(i).ok(),
            Value::UInt(u) => Some(u),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value as a dictionary, if it is one.
    pub fn as_map(&self) -> Option<&Dict> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value as a list, if it is one.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::from_u64(n)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b)
    }
}

impl From<List> for Value {
    fn from(l: List) -> Self {
        Value::List(l)
    }
}

impl From<Dict> for Value {
    fn from(m: Dict) -> Self {
        Value::Map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_integers_that_fit_are_signed() {
        assert_eq!(Value::from_u64(5), Value::Int(5));
        assert_eq!(Value::from_u64(u64::MAX), Value::UInt(u64::MAX));
        assert_eq!(Value::UInt(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Value::Int(-1).as_u64(), None);
    }
}
