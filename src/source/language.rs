//! Language tags (BCP 47, as far as coach needs them): `en`, `en-GB`, `de`.

use std::fmt;

/// A checked language tag, as a routine or the config writes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Language(String);

impl Language {
    /// `tag` if it is a language tag: a primary subtag of 2 or 3 letters,
    /// then subtags of 1 to 8 letters or digits, joined by `-`.
    pub fn parse(tag: &str) -> Option<Language> {
        let mut parts = tag.split('-');
        let first = parts.next().unwrap_or("");
        let valid = (2..=3).contains(&first.len())
            && first.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
            });
        valid.then(|| Language(tag.to_string()))
    }

    /// The tag as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first subtag in lower case: `en` for `en-GB`.
    pub fn primary(&self) -> String {
        primary(&self.0)
    }

    /// Whether `other` (a tag, or a voice name such as `en-gb`)
    /// is of the same language.
    pub fn matches(&self, other: &str) -> bool {
        primary(other) == self.primary()
    }
}

/// The first subtag of a tag or voice name, in lower case: `en` for
/// `en-GB` or `en_US`.
pub fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

impl Default for Language {
    fn default() -> Language {
        Language("en".into())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for Language {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_have_a_primary_subtag() {
        for good in ["en", "en-GB", "de", "gsw-CH", "zh-Hant-TW"] {
            assert!(Language::parse(good).is_some(), "{good}");
        }
        for bad in ["", "e", "english", "en_GB", "en-", "12", "en-toolongsubtag"] {
            assert!(Language::parse(bad).is_none(), "{bad}");
        }
        let tag = Language::parse("en-GB").unwrap();
        assert_eq!(tag.primary(), "en");
        assert!(tag.matches("en-us"));
        assert!(tag.matches("EN"));
        assert!(!tag.matches("de"));
        assert_eq!(primary("en_US"), "en");
    }
}
