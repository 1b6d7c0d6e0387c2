use serde::{Deserialize, Serialize};

/// Trimmed single-line text of bounded length with no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundedText(String);

impl BoundedText {
    /// Parses `raw` for a field the user knows as `what` (used in messages: "Enter a team name").
    pub fn parse(raw: &str, what: &str, max_chars: usize) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(format!("Enter {what}"));
        }
        if trimmed.chars().count() > max_chars {
            return Err(format!("{} must be {max_chars} characters or fewer", capitalise(strip_article(what))));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(format!(
                "{} must not contain line breaks or control characters",
                capitalise(strip_article(what))
            ));
        }
        Ok(Self(trimmed.split_whitespace().collect::<Vec<_>>().join(" ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn strip_article(what: &str) -> &str {
    what.strip_prefix("a ").or_else(|| what.strip_prefix("an ")).or_else(|| what.strip_prefix("the ")).unwrap_or(what)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses_inner_whitespace() {
        let t = BoundedText::parse("  Acute   oncology  ", "a team name", 30).unwrap();
        assert_eq!(t.as_str(), "Acute oncology");
    }

    #[test]
    fn empty_and_blank_are_refused_with_an_enter_message() {
        assert_eq!(BoundedText::parse("", "a team name", 5), Err("Enter a team name".into()));
        assert_eq!(BoundedText::parse("   ", "a team name", 5), Err("Enter a team name".into()));
    }

    #[test]
    fn too_long_counts_characters_not_bytes() {
        assert!(BoundedText::parse("ééééé", "a name", 5).is_ok());
        assert_eq!(BoundedText::parse("éééééé", "a name", 5), Err("Name must be 5 characters or fewer".into()));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(BoundedText::parse("a\u{0}b", "a name", 10).is_err());
        assert!(BoundedText::parse("a\tb", "a name", 10).is_err());
    }
}
