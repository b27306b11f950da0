//! The `dechaff` binary: clap flags -> Options -> Cleaner -> stdout.
//!
//! Exit status: 0 on success (and when stdout is closed early, as by
//! `head`), 1 when a file could not be read or written, 2 on bad flags or
//! bad rule files.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dechaff::{Cleaned, Cleaner, Error, Options, RuleSet};

/// Separates the article body from the clutter in scraped web text.
///
/// Reads a page (a file, or `-` for stdin) and prints its clean body. Given
/// a directory and `-o OUT`, cleans every file under it into OUT.
#[derive(Parser, Debug)]
#[command(name = "dechaff", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// A page to clean, `-` for stdin, or a directory (needs --output).
    input: Option<PathBuf>,

    /// Where to write: a file for one page, a directory for a directory.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print every input line, marked kept (+) or removed (-) with the rule
    /// that removed it.
    #[arg(long, conflicts_with = "format")]
    explain: bool,

    /// Use this language's rules instead of detecting (ISO 639-3, e.g. eng,
    /// cmn; `common` for the language-independent rules alone).
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,

    /// Add rule files from DIR: a file replaces the built-in one of the same
    /// name (or extends it, with `extend: true`); a new name adds a language.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,

    /// Decode input with this encoding (a WHATWG label such as gbk, big5,
    /// shift_jis, windows-1251) instead of detecting it.
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,

    /// When to colour --explain output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the rule sets, or check rule files.
    Rules {
        #[command(subcommand)]
        action: Option<RulesAction>,
        /// Include the rule files of DIR in the listing.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum RulesAction {
    /// Validate every rule file in DIR: YAML, keys, patterns and examples.
    Check {
        /// The directory of rule files.
        dir: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// The clean body.
    Text,
    /// One JSON object: text, lang, script, confidence, encoding, removals.
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

/// A failure, with the exit status it maps to.
enum Failure {
    /// Bad flags or bad rules: exit 2.
    Usage(String),
    /// A file could not be read or written: exit 1.
    Io(String),
    /// Stdout was closed: stop quietly, exit 0.
    ClosedPipe,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { .. } => Failure::Io(e.to_string()),
            other => Failure::Usage(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("dechaff: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Io(msg)) => {
            eprintln!("dechaff: {msg}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    if let Some(Command::Rules { action, rules }) = cli.command {
        return match action {
            Some(RulesAction::Check { dir }) => check_rules(&dir),
            None => list_rules(rules.as_deref()),
        };
    }
    let rules = match &cli.rules {
        Some(dir) => RuleSet::builtin_with_dir(dir)?,
        None => RuleSet::builtin(),
    };
    let options = Options {
        lang: cli.lang.clone(),
        encoding: cli.encoding.clone(),
        trace: cli.explain,
    };
    let cleaner = Cleaner::new(rules, options)?;
    let input = cli.input.clone().ok_or_else(|| {
        Failure::Usage("no input: give a file, a directory or `-` for stdin (see --help)".into())
    })?;
    if input.is_dir() {
        let out = cli.output.as_deref().ok_or_else(|| {
            Failure::Usage(format!(
                "{} is a directory: give an output directory with -o OUT",
                input.display()
            ))
        })?;
        return clean_dir(&cleaner, &input, out, &cli);
    }
    let bytes = read_input(&input)?;
    if looks_binary(&bytes) {
        return Err(Failure::Io(format!(
            "{}: looks like a binary file (NUL bytes), not text; not cleaned",
            input.display()
        )));
    }
    let cleaned = cleaner.clean_bytes(&bytes);
    let rendered = render(&cleaned, &cli);
    match &cli.output {
        Some(path) => fs::write(path, rendered)
            .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?,
        None => write_stdout(rendered.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Io(format!("stdin: {e}")))?;
    } else {
        bytes = fs::read(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    }
    Ok(bytes)
}

/// NUL bytes do not occur in text, except in UTF-16 (which has a BOM here).
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !utf16 && head.contains(&0)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failure::ClosedPipe),
        Err(e) => Err(Failure::Io(format!("stdout: {e}"))),
    }
}

fn render(cleaned: &Cleaned, cli: &Cli) -> String {
    if cli.explain {
        let color = match cli.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                cli.output.is_none()
                    && io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none()
            }
        };
        return explain(cleaned, color);
    }
    match cli.format {
        Format::Text => cleaned.text.clone(),
        Format::Json => {
            let mut s = serde_json::to_string(cleaned)
                .expect("Cleaned serialises: strings and numbers only");
            s.push('\n');
            s
        }
    }
}

/// Every line with its fate; inline removals follow their line.
fn explain(cleaned: &Cleaned, color: bool) -> String {
    use std::fmt::Write as _;
    let (green, red, dim, reset) = if color {
        ("\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{dim}# lang {} (detected {}, confidence {}), script {}, encoding {}{reset}",
        cleaned.lang,
        cleaned.detected_lang.as_deref().unwrap_or("none"),
        cleaned.lang_confidence,
        cleaned.script.as_deref().unwrap_or("none"),
        cleaned.encoding
    );
    let mut inline = cleaned
        .removed
        .iter()
        .filter(|r| r.action == dechaff::Action::RemoveInline)
        .peekable();
    for line in &cleaned.lines {
        if line.text.is_empty() {
            let _ = writeln!(out, "{:>5}", line.line);
        } else if line.kept {
            let _ = writeln!(out, "{:>5} {green}+ {}{reset}", line.line, line.text);
        } else {
            let rule = line.rule.as_deref().unwrap_or("?");
            let _ = writeln!(
                out,
                "{:>5} {red}- {}{reset} {dim}[{rule}]{reset}",
                line.line, line.text
            );
        }
        while let Some(r) = inline.next_if(|r| r.line == line.line) {
            let _ = writeln!(
                out,
                "{:>5} {red}~ {}{reset} {dim}[{}]{reset}",
                "", r.text, r.rule
            );
        }
    }
    out
}

fn clean_dir(cleaner: &Cleaner, input: &Path, out: &Path, cli: &Cli) -> Result<ExitCode, Failure> {
    let mut files = Vec::new();
    let mut failures = 0usize;
    walk(input, &mut files, &mut failures);
    files.sort();
    for path in &files {
        let rel = path
            .strip_prefix(input)
            .expect("walk yields paths under the input");
        let mut target = out.join(rel);
        if cli.format == Format::Json && !cli.explain {
            target.as_mut_os_string().push(".json");
        }
        if let Err(msg) = clean_file(cleaner, path, &target, cli) {
            eprintln!("dechaff: {msg}");
            failures += 1;
        }
    }
    eprintln!(
        "dechaff: {} files cleaned, {failures} failed",
        files.len() - failures.min(files.len())
    );
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn clean_file(cleaner: &Cleaner, path: &Path, target: &Path, cli: &Cli) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if looks_binary(&bytes) {
        return Err(format!(
            "{}: looks like a binary file (NUL bytes), not text; skipped",
            path.display()
        ));
    }
    let rendered = render(&cleaner.clean_bytes(&bytes), cli);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(target, rendered).map_err(|e| format!("{}: {e}", target.display()))
}

/// Regular files under `dir`, skipping hidden entries and symlinks to
/// directories (which could loop).
fn walk(dir: &Path, files: &mut Vec<PathBuf>, failures: &mut usize) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("dechaff: {}: {e}", dir.display());
            *failures += 1;
            return;
        }
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files, failures),
            Ok(t) if t.is_file() || (t.is_symlink() && path.is_file()) => files.push(path),
            _ => {}
        }
    }
}

fn list_rules(extra: Option<&Path>) -> Result<ExitCode, Failure> {
    let rules = match extra {
        Some(dir) => RuleSet::builtin_with_dir(dir)?,
        None => RuleSet::builtin(),
    };
    let mut out = String::from("name     drop  cut  inline  also        origin\n");
    for s in rules.summaries() {
        out.push_str(&format!(
            "{:<8} {:>4} {:>4} {:>7}  {:<10}  {}\n",
            s.name,
            s.drop_lines,
            s.cut_after,
            s.remove_inline,
            if s.also.is_empty() {
                "-".to_owned()
            } else {
                s.also.join(",")
            },
            s.origin
        ));
    }
    write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn check_rules(dir: &Path) -> Result<ExitCode, Failure> {
    match RuleSet::check_dir(dir) {
        Ok(n) => {
            write_stdout(format!("{n} rule files ok in {}\n", dir.display()).as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Rules(problems)) => {
            let mut out = String::new();
            for p in &problems {
                out.push_str(&format!("{p}\n"));
            }
            eprint!("{out}");
            eprintln!("dechaff: {} problems in rule files", problems.len());
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
