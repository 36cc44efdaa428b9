//! The text a plugin's `seal` returns. It names what it is bound to (the plugin and the
//! context, both part of the ciphertext's associated data, so neither can be changed):
//! `ps2.{plugin}.{context, base64url}.{ciphertext, base64url}`. Naming them lets the platform
//! find and re-seal a plugin's values on key rotation wherever the plugin keeps them in the
//! platform's tables (post meta, revisions, plugin KV), without knowing its conventions.
//! Texts sealed before this format (plain base64 of the ciphertext) still open, but are not
//! found by a rewrap.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;

const PREFIX: &str = "ps2.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedText {
    pub plugin: String,
    pub context: String,
    pub ciphertext: Vec<u8>,
}

impl SealedText {
    pub fn encode(&self) -> String {
        format!(
            "{PREFIX}{}.{}.{}",
            self.plugin,
            B64URL.encode(self.context.as_bytes()),
            B64URL.encode(&self.ciphertext)
        )
    }

    /// `None` when `text` is not exactly one sealed text of this format.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(PREFIX)?;
        let mut parts = rest.split('.');
        let (plugin, context, ciphertext) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !valid_plugin(plugin) {
            return None;
        }
        Some(Self {
            plugin: plugin.to_owned(),
            context: String::from_utf8(B64URL.decode(context).ok()?).ok()?,
            ciphertext: B64URL.decode(ciphertext).ok()?,
        })
    }
}

fn valid_plugin(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every sealed text inside `text` (a plugin may wrap it, as `sealed:v1:{sealed}`): its byte
/// range and what it says.
pub fn find_all(text: &str) -> Vec<(std::ops::Range<usize>, SealedText)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(PREFIX) {
        let start = from + at;
        // The prefix, then three segments of [a-z0-9-] and base64url, separated by dots.
        let body = start + PREFIX.len();
        let mut end = text.len();
        let mut dots = 0;
        for (i, c) in text[body..].char_indices() {
            if c == '.' && dots < 2 {
                dots += 1;
            } else if !(c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                end = body + i;
                break;
            }
        }
        match SealedText::parse(&text[start..end]) {
            Some(sealed) => {
                found.push((start..end, sealed));
                from = end;
            }
            None => from = start + PREFIX.len(),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SealedText {
        SealedText {
            plugin: "custom-fields".into(),
            context: "0190a0b0/cpf".into(),
            ciphertext: vec![1, 0, 0, 0, 2, 9, 9],
        }
    }

    #[test]
    fn round_trips_and_refuses_what_is_not_one() {
        let text = sample().encode();
        assert_eq!(SealedText::parse(&text), Some(sample()));
        for bad in [
            "",
            "ps2.",
            "ps2.a.b",
            "ps2.UPPER.YQ.AQ",
            "ps2.a.YQ.AQ.x",
            "xps2.a.YQ.AQ",
        ] {
            assert_eq!(SealedText::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn finds_sealed_texts_wrapped_in_other_text() {
        let one = sample().encode();
        let other = SealedText {
            context: "x".into(),
            ..sample()
        }
        .encode();
        let text = format!("sealed:v1:{one} and \"{other}\", then ps2.not.one");
        let found = find_all(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&text[found[0].0.clone()], one);
        assert_eq!(&text[found[1].0.clone()], other);
    }
}
