//! The `bodies!` macro: each event kind written once, from which the
//! protocol's `Body` enum, the kind lists and the fast decoder are made.

/// Declares [`Body`] with each variant's `kind` written once: serde's tag,
/// [`Body::kind`], [`EVENT_KINDS`] and [`SUPERVISOR_KINDS`] all come from it.
macro_rules! bodies {
    (
        shim { $($(#[$sa:meta])* $skind:literal => $Shim:ident {
            $($(#[$sfa:meta])* $sf:ident : $sft:ty),* $(,)?
        },)* }
        supervisor { $($(#[$pa:meta])* $pkind:literal => $Sup:ident {
            $($(#[$pfa:meta])* $pf:ident : $pft:ty),* $(,)?
        },)* }
    ) => {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum Body {
            $($(#[$sa])* #[serde(rename = $skind)] $Shim { $($(#[$sfa])* $sf: $sft,)* },)*
            $($(#[$pa])* #[serde(rename = $pkind)] $Sup { $($(#[$pfa])* $pf: $pft,)* },)*
        }

        /// Each kind's event as one flat struct (its fields, `pid` and `t`),
        /// which serde decodes in one pass: the tagged `Event` above buffers
        /// every field before it knows the kind, several times slower on
        /// the hot path (see `codec::decode`).
        mod wire {
            #![allow(dead_code)]
            use super::*;
            $(
                #[derive(Deserialize)]
                pub(super) struct $Shim {
                    $($(#[$sfa])* pub $sf: $sft,)*
                    pub pid: i32,
                    #[serde(default)]
                    pub t: u64,
                }
            )*
            $(
                #[derive(Deserialize)]
                pub(super) struct $Sup {
                    $($(#[$pfa])* pub $pf: $pft,)*
                    pub pid: i32,
                    #[serde(default)]
                    pub t: u64,
                }
            )*
        }

        /// An event of the given kind decoded from `text` through its flat
        /// struct; None for an unknown kind or what it cannot decode.
        pub(crate) fn decode_flat(kind: &str, text: &str) -> Option<Event> {
            match kind {
                $($skind => serde_json::from_str::<wire::$Shim>(text).ok().map(|w| Event {
                    body: Body::$Shim { $($sf: w.$sf,)* },
                    pid: w.pid,
                    t: w.t,
                }),)*
                $($pkind => serde_json::from_str::<wire::$Sup>(text).ok().map(|w| Event {
                    body: Body::$Sup { $($pf: w.$pf,)* },
                    pid: w.pid,
                    t: w.t,
                }),)*
                _ => None,
            }
        }

        /// Every event kind, as an event's `"kind"` field names it.
        pub const EVENT_KINDS: &[&str] = &[$($skind,)* $($pkind,)*];

        /// The kinds forklore itself makes about the run (pause, resume,
        /// end); the shim never sends them.
        pub const SUPERVISOR_KINDS: &[&str] = &[$($pkind,)*];

        impl Body {
            /// This event's kind, as its `"kind"` field names it.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Body::$Shim { .. } => $skind,)*
                    $(Body::$Sup { .. } => $pkind,)*
                }
            }

            /// Made by forklore about the run, not sent by the shim.
            pub fn is_supervisor(&self) -> bool {
                matches!(self, $(Body::$Sup { .. })|*)
            }
        }
    };
}
