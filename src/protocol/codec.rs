//! Decoding a datagram or recording line into an [`Event`] (total: never
//! panics) and encoding one as a line.

use super::{decode_flat, Event, MAX_DATAGRAM};

/// Why a datagram or recording line was not an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Oversized(usize),
    NotUtf8,
    Invalid(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Oversized(n) => write!(f, "oversized event ({n} bytes)"),
            DecodeError::NotUtf8 => write!(f, "event is not UTF-8"),
            DecodeError::Invalid(why) => write!(f, "not a forklore event: {why}"),
        }
    }
}

/// Decode one datagram or recording line. Total: never panics.
pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
    if bytes.len() > MAX_DATAGRAM {
        return Err(DecodeError::Oversized(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)?;
    let text = text.trim_end();
    if let Some(event) = decode_fast(text) {
        return Ok(event);
    }
    serde_json::from_str(text).map_err(|e| DecodeError::Invalid(e.to_string()))
}

/// The fast path, for events that start with their kind as the shim and
/// `encode` write them: the kind read off the front picks the flat struct
/// to decode into. Anything else (another field order, an error) goes the
/// general way, which also words the error.
pub fn decode_fast(text: &str) -> Option<Event> {
    let rest = text.strip_prefix(r#"{"kind":""#)?;
    let kind = &rest[..rest.find('"')?];
    decode_flat(kind, text)
}

/// Encode an event as one line (no trailing newline).
pub fn encode(event: &Event) -> String {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string(event).unwrap_or_default()
}
