//! Lessons: short guided steps into the playground, as data a teacher can copy
//! (data/lessons.json). Each lesson is a link into the playground with a few
//! sentences and one question; a lesson file is checked here, for the page
//! (`lessons` in wasm) and for `flash lessons FILE`, so a bad lesson is named
//! with the field that is wrong.

use crate::error::{Error, Result};
use crate::state::State;
use serde::{Deserialize, Serialize};

/// The lessons this project ships (the page fetches the same file).
pub const SHIPPED: &str = include_str!("../data/lessons.json");
/// Most lessons one file may hold.
pub const MAX_LESSONS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Lowercase letters, digits and '-'; unique in its file.
    pub id: String,
    pub title: String,
    /// A few sentences: what the link shows.
    pub text: String,
    /// One question to explore.
    pub question: String,
    /// The playground link (the query after '?').
    pub link: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    lessons: Vec<Lesson>,
}

fn length(id: &str, field: &str, text: &str, max: usize) -> Result<()> {
    let n = text.chars().count();
    if n == 0 || n > max {
        return Err(Error::field(
            format!("lesson '{id}' {field}"),
            format!("{n} characters"),
            format!("1..={max} characters"),
        ));
    }
    Ok(())
}

/// Reads and checks a lesson file: its JSON form, each field's length, unique
/// ids, and that every link decodes without a notice.
pub fn parse(json: &str) -> Result<Vec<Lesson>> {
    let file: LessonFile =
        serde_json::from_str(json).map_err(|e| Error::Invalid(format!("lesson file: {e}")))?;
    if file.lessons.is_empty() || file.lessons.len() > MAX_LESSONS {
        return Err(Error::field(
            "lessons",
            file.lessons.len(),
            format!("1..={MAX_LESSONS} lessons"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in &file.lessons {
        let id_ok = (1..=40).contains(&l.id.len())
            && l.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(Error::field(
                "lesson id",
                &l.id,
                "1 to 40 lowercase letters, digits and '-'",
            ));
        }
        if !seen.insert(l.id.clone()) {
            return Err(Error::field("lesson id", &l.id, "an id no other lesson has"));
        }
        length(&l.id, "title", &l.title, 100)?;
        length(&l.id, "text", &l.text, 800)?;
        length(&l.id, "question", &l.question, 300)?;
        length(&l.id, "link", &l.link, crate::state::MAX_QUERY)?;
        let decoded = State::decode(&l.link);
        if let Some(n) = decoded.notices.first() {
            return Err(Error::field(
                format!("lesson '{}' link", l.id),
                &n.field,
                format!("a link that decodes without a notice ({})", n.message),
            ));
        }
    }
    Ok(file.lessons)
}

/// The shipped lessons (checked by the tests, so this cannot fail).
pub fn shipped() -> Vec<Lesson> {
    parse(SHIPPED).expect("data/lessons.json is checked by tests/lessons.rs")
}
