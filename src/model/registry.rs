//! A bounded table keyed by id that remembers in which order the ids first
//! appeared. Sync objects, queues, processes, Manager servers and their
//! objects each keep one; what a full table does with a new id is the
//! caller's choice (a [`Limit`]).

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::ops::Index;

/// How many entries a registry keeps, and what it does with a new key
/// once it holds that many.
pub struct Limit<V> {
    cap: usize,
    when_full: WhenFull<V>,
}

enum WhenFull<V> {
    Refuse,
    EvictOldest(fn(&V) -> bool),
}

impl<V> Limit<V> {
    /// Past `cap` entries new keys are refused; the entries in stay.
    pub const fn refuse(cap: usize) -> Self {
        Limit {
            cap,
            when_full: WhenFull::Refuse,
        }
    }

    /// Past `cap` entries a new key makes room: the oldest entry that
    /// `expendable` accepts goes, or the oldest of all if it accepts none.
    pub const fn evict_oldest(cap: usize, expendable: fn(&V) -> bool) -> Self {
        Limit {
            cap,
            when_full: WhenFull::EvictOldest(expendable),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry<K, V> {
    entries: BTreeMap<K, Entry<V>>,
    next_seq: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry<V> {
    /// Order of first appearance.
    seq: usize,
    value: V,
}

impl<K, V> Default for Registry<K, V> {
    fn default() -> Self {
        Registry {
            entries: BTreeMap::new(),
            next_seq: 0,
        }
    }
}

impl<K: Ord, V> Registry<K, V> {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.contains_key(key)
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.get(key).map(|e| &e.value)
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.get_mut(key).map(|e| &mut e.value)
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, e)| (k, &e.value))
    }

    /// Values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|e| &e.value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.values_mut().map(|e| &mut e.value)
    }

    /// Values in the order their keys first appeared.
    pub fn in_order(&self) -> Vec<&V> {
        let mut all: Vec<&Entry<V>> = self.entries.values().collect();
        all.sort_by_key(|e| e.seq);
        all.into_iter().map(|e| &e.value).collect()
    }

    /// The entry of `key`. A new key gets `make(seq)`, where `seq` counts
    /// the keys in order of first appearance (never reused), unless the
    /// registry is full and `limit` refuses it: then None.
    pub fn get_or_insert_with<Q>(
        &mut self,
        key: &Q,
        limit: Limit<V>,
        make: impl FnOnce(usize) -> V,
    ) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        if !self.entries.contains_key(key) {
            if self.entries.len() >= limit.cap && !self.make_room(&limit) {
                return None;
            }
            let seq = self.next_seq;
            self.next_seq += 1;
            let value = make(seq);
            self.entries.insert(key.to_owned(), Entry { seq, value });
        }
        self.get_mut(key)
    }

    /// Evict entries if `limit` says so; true when there is room now. Up
    /// to an eighth of the cap goes at once, expendable entries only,
    /// oldest first, so a flood of new keys costs one scan per many
    /// inserts; when nothing is expendable, only the oldest entry goes
    /// (live entries leave one by one, never in bulk).
    fn make_room(&mut self, limit: &Limit<V>) -> bool {
        let WhenFull::EvictOldest(expendable) = limit.when_full else {
            return false;
        };
        let mut spare: Vec<usize> = self
            .entries
            .values()
            .filter(|e| expendable(&e.value))
            .map(|e| e.seq)
            .collect();
        if spare.is_empty() {
            spare.extend(self.entries.values().map(|e| e.seq).min());
        }
        spare.sort_unstable();
        spare.truncate((limit.cap / 8).max(1));
        let gone: std::collections::HashSet<usize> = spare.into_iter().collect();
        self.entries.retain(|_, e| !gone.contains(&e.seq));
        !gone.is_empty()
    }
}

impl<K, V, Q> Index<&Q> for Registry<K, V>
where
    K: Ord + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        &self.entries[key].value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusing_registry_keeps_its_first_entries() {
        let mut r: Registry<String, u32> = Registry::default();
        for (i, key) in ["b", "a", "c"].into_iter().enumerate() {
            let v = r.get_or_insert_with(key, Limit::refuse(2), |seq| seq as u32);
            assert_eq!(v.is_some(), i < 2);
        }
        assert_eq!(r.len(), 2);
        assert_eq!(r.in_order(), vec![&0, &1]);
        assert_eq!(r.values().collect::<Vec<_>>(), vec![&1, &0], "key order");
        assert_eq!(r["b"], 0);
        // A key already in is found, not made again.
        assert_eq!(
            r.get_or_insert_with("a", Limit::refuse(2), |_| 9),
            Some(&mut 1)
        );
    }

    #[test]
    fn an_evicting_registry_drops_the_oldest_expendable_first() {
        let odd = || Limit::evict_oldest(3, |v: &u32| v % 2 == 1);
        let mut r: Registry<i32, u32> = Registry::default();
        for key in [10, 11, 12, 13] {
            r.get_or_insert_with(&key, odd(), |_| key as u32);
        }
        assert!(!r.contains_key(&11), "the oldest odd value went");
        assert_eq!(r.in_order(), vec![&10, &12, &13]);
        let none = Limit::evict_oldest(3, |_: &u32| false);
        r.get_or_insert_with(&14, none, |seq| seq as u32);
        assert!(!r.contains_key(&10), "none expendable: the oldest went");
        assert_eq!(r.in_order(), vec![&12, &13, &4], "seq is never reused");
    }
}
