//! A `write` event carries the bytes a process wrote, exactly: as text when
//! they are UTF-8, in base64 when they are not.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::Body;

/// Reading a write event's bytes back.
pub trait WriteBytes {
    /// The bytes written (None for events that are not writes). Bad base64
    /// (a forged or damaged event) yields no bytes.
    fn write_bytes(&self) -> Option<Cow<'_, [u8]>>;
}

impl Body {
    /// A `write` event of `bytes` to `fd`.
    pub fn write(fd: u8, bytes: &[u8]) -> Body {
        match std::str::from_utf8(bytes) {
            Ok(text) => Body::Write {
                fd,
                text: text.to_string(),
                b64: None,
            },
            Err(_) => Body::Write {
                fd,
                text: String::new(),
                b64: Some(STANDARD.encode(bytes)),
            },
        }
    }
}

impl WriteBytes for Body {
    fn write_bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            Body::Write { b64: Some(b64), .. } => {
                Some(Cow::Owned(STANDARD.decode(b64).unwrap_or_default()))
            }
            Body::Write { text, .. } => Some(Cow::Borrowed(text.as_bytes())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_whatever_they_are() {
        for bytes in [
            &b"hello\n"[..],
            b"\xe4\xb8",
            b"\xff\x00bin",
            "中文".as_bytes(),
            b"",
        ] {
            let body = Body::write(1, bytes);
            assert_eq!(body.write_bytes().unwrap().as_ref(), bytes);
        }
        assert!(matches!(
            Body::write(1, b"ok"),
            Body::Write { b64: None, .. }
        ));
    }
}
