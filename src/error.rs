//! The one error type of the core. Every message names what was wrong, the value
//! given and what is allowed, because it is shown verbatim on the page and the CLI.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A value outside its allowed range or set.
    Field { field: String, value: String, allowed: String },
    /// Text that does not follow a documented grammar.
    Parse { what: &'static str, at: usize, message: String },
    /// A bad row or column in a CSV file (1-based line numbers, header included).
    Csv { line: usize, column: String, message: String },
    /// A request the core cannot honour as a whole (too few samples, say).
    Invalid(String),
}

impl Error {
    pub fn field(
        field: impl Into<String>,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Error::Field { field: field.into(), value: value.to_string(), allowed: allowed.into() }
    }

    pub fn parse(what: &'static str, at: usize, message: impl Into<String>) -> Self {
        Error::Parse { what, at, message: message.into() }
    }

    pub fn csv(line: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Csv { line, column: column.into(), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Field { field, value, allowed } => {
                write!(f, "{field} = {value} is not allowed: allowed {allowed}")
            }
            Error::Parse { what, at, message } => {
                write!(f, "cannot read the {what} at character {}: {message}", at + 1)
            }
            Error::Csv { line, column, message } => {
                write!(f, "line {line}, column '{column}': {message}")
            }
            Error::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
