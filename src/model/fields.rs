//! The front-matter fields of an item: every `key: value` pair, in file order.
//!
//! A small list rather than a hash map: an item has about ten fields, and a linear scan of
//! short keys is cheaper than hashing each key on every insert and lookup (reading 10,000
//! items spent a sixth of its time in the YAML mapping's hash table). Lookups by name see only
//! string keys, as lookups in a YAML mapping do.

use serde_yaml::{Mapping, Value};

/// Front-matter fields in file order; keys are unique.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Vec<(Value, Value)>);

impl Fields {
    pub fn with_capacity(n: usize) -> Fields {
        Fields(Vec::with_capacity(n))
    }

    /// The value of the string key `key` (a tagged key is not a string key, as in a mapping).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| matches!(k, Value::String(s) if s == key)).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Add a field with a string key; `false` (and no change) when the key is already there.
    pub fn insert_new(&mut self, key: &str, value: Value) -> bool {
        if self.contains_key(key) {
            return false;
        }
        self.0.push((Value::String(key.to_string()), value));
        true
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields as a YAML mapping (for comparing with the full parser).
    pub fn to_mapping(&self) -> Mapping {
        self.0.iter().cloned().collect()
    }
}

impl From<Mapping> for Fields {
    fn from(m: Mapping) -> Fields {
        Fields(m.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a Value, &'a Value);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Value, Value)>, fn(&'a (Value, Value)) -> (&'a Value, &'a Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}
