//! Serde glue for [`Value`]: writing it borrowed, and building it straight from any serializer.
//!
//! Both directions take the codec's [`Binary`] convention: CBOR and MessagePack carry binary data
//! natively, JSON as a string of `"\0"` followed by base64. Both directions stop at
//! [`MAX_DEPTH`] levels of nested lists and maps, so a nesting bomb is an error, never a stack
//! overflow. Map keys must be strings; when a key repeats, the last value wins (as serde_json's
//! own value type does).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::binary::{self, Binary};
use super::error::{MAX_DEPTH, not_finite, too_deep};
use crate::value::{Dict, List, Value};

/// A borrowed value, written the way its codec carries binary data.
pub(crate) struct ValueRef<'a> {
    /// The value.
    pub(crate) value: &'a Value,
    /// The codec's binary convention.
    pub(crate) binary: Binary,
    /// How many lists and maps enclose the value.
    pub(crate) depth: usize,
}

/// A borrowed list, written as a sequence of [`ValueRef`]s.
pub(crate) struct ListRef<'a> {
    /// The items.
    pub(crate) list: &'a [Value],
    /// The codec's binary convention.
    pub(crate) binary: Binary,
    /// How many lists and maps enclose the list.
    pub(crate) depth: usize,
}

/// A borrowed dictionary, written as a map with string keys.
pub(crate) struct DictRef<'a> {
    /// The entries.
    pub(crate) dict: &'a Dict,
    /// The codec's binary convention.
    pub(crate) binary: Binary,
    /// How many lists and maps enclose the dictionary.
    pub(crate) depth: usize,
}

/// Builds a [`Value`] from any self-describing serde data format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValueSeed {
    /// The codec's binary convention.
    binary: Binary,
    /// How many lists and maps enclose the value being read.
    depth: usize,
}

impl ValueSeed {
    /// A seed for a whole document (nothing encloses it).
    pub(crate) fn new(binary: Binary) -> Self {
        ValueSeed { binary, depth: 0 }
    }

    /// The seed for the items of a container read by this seed, or an error past the limit.
    fn enter<E: de::Error>(self) -> Result<ValueSeed, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(too_deep()));
        }
        Ok(ValueSeed {
            binary: self.binary,
            depth: self.depth + 1,
        })
    }

    /// A string as read from the data: in JSON, `"\0"` + base64 is binary.
    fn string<E: de::Error>(self, s: &str) -> Result<Value, E> {
        if self.binary == Binary::Base64
            && let Some(bytes) = binary::from_nul_base64(s)
        {
            return bytes.map(Value::Bytes).map_err(E::custom);
        }
        Ok(Value::Str(s.to_owned()))
    }
}

/// Reads the key of a map: only strings are keys (never reinterpreted as binary).
struct KeySeed;

/// No container reserves room for more items than this before reading them: a length prefix
/// comes from the peer.
const PREALLOCATE_MAX: usize = 256;

impl Serialize for Value {
    /// Writes binary data natively (`serialize_bytes`: a CBOR byte string, a MessagePack `bin`).
    /// For JSON's `"\0"` + base64 convention use [`Codec::Json`](crate::Codec::Json).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ValueRef {
            value: self,
            binary: Binary::Native,
            depth: 0,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Value {
    /// Reads binary data natively and strings as strings, up to [`MAX_DEPTH`] levels of nesting.
    /// For JSON's `"\0"` + base64 convention use [`Codec::Json`](crate::Codec::Json).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ValueSeed::new(Binary::Native).deserialize(deserializer)
    }
}

impl Serialize for ValueRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::UInt(u) => serializer.serialize_u64(*u),
            Value::Float(f) => {
                if self.binary == Binary::Base64 && !f.is_finite() {
                    return Err(ser::Error::custom(not_finite(*f)));
                }
                serializer.serialize_f64(*f)
            }
            Value::Str(s) => serializer.serialize_str(s),
            Value::Bytes(bytes) => match self.binary {
                Binary::Native => serializer.serialize_bytes(bytes),
                Binary::Base64 => serializer.serialize_str(&binary::to_nul_base64(bytes)),
            },
            Value::List(list) => ListRef {
                list,
                binary: self.binary,
                depth: self.depth,
            }
            .serialize(serializer),
            Value::Map(dict) => DictRef {
                dict,
                binary: self.binary,
                depth: self.depth,
            }
            .serialize(serializer),
        }
    }
}

impl Serialize for ListRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(ser::Error::custom(too_deep()));
        }
        let mut seq = serializer.serialize_seq(Some(self.list.len()))?;
        for value in self.list {
            seq.serialize_element(&ValueRef {
                value,
                binary: self.binary,
                depth: self.depth + 1,
            })?;
        }
        seq.end()
    }
}

impl Serialize for DictRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(ser::Error::custom(too_deep()));
        }
        let mut map = serializer.serialize_map(Some(self.dict.len()))?;
        for (key, value) in self.dict {
            map.serialize_entry(
                key,
                &ValueRef {
                    value,
                    binary: self.binary,
                    depth: self.depth + 1,
                },
            )?;
        }
        map.end()
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a WAMP value (null, boolean, number, string, binary, list or map)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from_u64(u))
    }

    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Value, E> {
        if let Ok(i) = i64::try_from(i) {
            Ok(Value::Int(i))
        } else if let Ok(u) = u64::try_from(i) {
            Ok(Value::UInt(u))
        } else {
            Err(E::custom(format_args!(
                "integer {i} is outside the i64 and u64 range"
            )))
        }
    }

    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Value, E> {
        u64::try_from(u)
            .map(Value::from_u64)
            .map_err(|_| E::custom(format_args!("integer {u} is above u64::MAX")))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.string(s)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        if self.binary == Binary::Base64 && s.starts_with('\0') {
            return self.string(&s);
        }
        Ok(Value::Str(s))
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(bytes.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(bytes))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let items = self.enter()?;
        let mut list = List::with_capacity(seq.size_hint().unwrap_or(0).min(PREALLOCATE_MAX));
        while let Some(value) = seq.next_element_seed(items)? {
            list.push(value);
        }
        Ok(Value::List(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let values = self.enter()?;
        let mut dict = Dict::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(values)?;
            dict.insert(key, value);
        }
        Ok(Value::Map(dict))
    }
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string as map key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        Ok(s.to_owned())
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<String, E> {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str, binary: Binary) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        ValueSeed::new(binary).deserialize(&mut de)
    }

    /// `levels` lists, each holding the next; the innermost is empty.
    fn nested_lists(levels: usize) -> Value {
        let mut value = Value::List(vec![]);
        for _ in 1..levels {
            value = Value::List(vec![value]);
        }
        value
    }

    #[test]
    fn json_binary_convention_only_with_base64() {
        assert_eq!(
            json(r#""\u0000AQI=""#, Binary::Base64).unwrap(),
            Value::Bytes(vec![1, 2])
        );
        assert_eq!(
            json(r#""\u0000AQI=""#, Binary::Native).unwrap(),
            Value::Str("\0AQI=".into())
        );
    }

    #[test]
    fn map_keys_stay_strings_even_with_a_nul() {
        let value = json(r#"{"\u0000AQI=": 1}"#, Binary::Base64).unwrap();
        assert_eq!(value.as_map().unwrap().get("\0AQI="), Some(&Value::Int(1)));
    }

    #[test]
    fn integers_beyond_i64_and_u64() {
        type E = serde_json::Error;
        let seed = ValueSeed::new(Binary::Native);
        assert_eq!(
            seed.visit_i128::<E>(i128::from(u64::MAX)).unwrap(),
            Value::UInt(u64::MAX)
        );
        assert_eq!(seed.visit_i128::<E>(-5).unwrap(), Value::Int(-5));
        assert!(seed.visit_i128::<E>(i128::from(i64::MIN) - 1).is_err());
        assert_eq!(seed.visit_u128::<E>(7).unwrap(), Value::Int(7));
        assert!(seed.visit_u128::<E>(u128::from(u64::MAX) + 1).is_err());
    }

    #[test]
    fn serializing_stops_at_the_depth_limit() {
        assert!(serde_json::to_vec(&nested_lists(MAX_DEPTH)).is_ok());
        let err = serde_json::to_vec(&nested_lists(MAX_DEPTH + 1)).unwrap_err();
        assert!(err.to_string().contains("deeper than"), "{err}");
    }

    #[test]
    fn deserializing_stops_at_the_depth_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(json(&ok, Binary::Native).unwrap(), nested_lists(MAX_DEPTH));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let err = json(&deep, Binary::Native).unwrap_err();
        assert!(err.to_string().contains("deeper than"), "{err}");
    }
}
