//! The one error type of the library, with hand-written messages.
//!
//! Messages are lowercase, carry no trailing period, quote the bad value and
//! say where it is (`file:line:col`), so the binary can print them as they are.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a rule file, located by line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The file as the user named it (or `rules/<name>.yaml` for built-ins).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub col: u32,
    /// The id of the rule concerned, when there is one.
    pub rule: Option<String>,
    /// What is wrong, and the fix when it is known.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        f.write_str(": ")?;
        if let Some(rule) = &self.rule {
            write!(f, "rule \"{rule}\": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Everything that can go wrong in dechaff.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// One or more rule files are invalid; every problem found is listed.
    Rules(Vec<RuleProblem>),
    /// `--lang` named a code that no rule set and no language detector knows.
    UnknownLanguage(String),
    /// `--encoding` named a label that the WHATWG Encoding Standard does not know.
    UnknownEncoding(String),
    /// [`crate::Options::min_kept`] is not a share between 0 and 1 (NaN,
    /// infinite, negative or above 1).
    InvalidMinKept(f64),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Rules(problems) => {
                for (i, p) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            Error::UnknownLanguage(code) => write!(
                f,
                "unknown language \"{code}\": use an ISO 639-3 code such as \"eng\" or \"cmn\" (see `dechaff rules`)"
            ),
            Error::UnknownEncoding(label) => write!(
                f,
                "unknown encoding \"{label}\": use a WHATWG label such as \"utf-8\", \"gbk\" or \"windows-1251\""
            ),
            Error::InvalidMinKept(share) => write!(
                f,
                "invalid min_kept \"{share}\": give a share between 0 and 1 (0 switches the safety net off)"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Cleaner, Error, Options, RuleSet};

    /// The library refuses what the CLI's `--min-kept` refuses: a threshold
    /// outside [0, 1] would keep every page whole (or none), silently.
    #[test]
    fn cleaner_refuses_min_kept_outside_zero_to_one() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.1, 1.5] {
            let options = Options {
                min_kept: bad,
                ..Options::default()
            };
            match Cleaner::new(RuleSet::builtin(), options) {
                Err(e @ Error::InvalidMinKept(_)) => {
                    assert!(e
                        .to_string()
                        .starts_with(&format!("invalid min_kept \"{bad}\"")));
                }
                Err(e) => panic!("{bad}: wrong error {e}"),
                Ok(_) => panic!("{bad}: accepted"),
            }
        }
        for good in [0.0, 0.02, 1.0] {
            let options = Options {
                min_kept: good,
                ..Options::default()
            };
            assert!(Cleaner::new(RuleSet::builtin(), options).is_ok(), "{good}");
        }
    }
}
