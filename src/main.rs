//! The `dechaff` binary: clap flags -> Options -> Cleaner -> stdout, or
//! one of the batch modes in [`cli`]: a directory tree, a JSON Lines
//! stream, a WET file.
//!
//! Exit status: 0 on success (and when stdout is closed early, as by
//! `head`), 1 when a file could not be read or written or a record was
//! rejected, 2 on bad flags or bad rule files.

mod cli;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dechaff::{Cleaned, Cleaner, Error, Options, RuleSet};

/// Separates the article body from the clutter in scraped web text.
///
/// Reads a page (a file, or `-` for stdin) and prints its clean body. Given
/// a directory and `-o OUT`, cleans every file under it into OUT, in
/// parallel. With --jsonl or --wet, cleans a stream of records.
#[derive(Parser, Debug)]
#[command(name = "dechaff", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// A page to clean, `-` for stdin, or a directory (needs --output or
    /// --in-place); with --jsonl or --wet, the stream (stdin if absent).
    input: Option<PathBuf>,

    /// Where to write: a file for one page or a stream (`.gz` and `.zst`
    /// compress), a directory for a directory.
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// Read JSON Lines: clean each record's text field, pass every other
    /// field through, add a `dechaff` object.
    #[arg(long, conflicts_with = "wet")]
    jsonl: bool,

    /// Read a Common Crawl WET file (`.warc.wet.gz`) and write JSON Lines
    /// with url, warc_record_id, date, text and a `dechaff` object.
    #[arg(long)]
    wet: bool,

    /// The JSON Lines field holding the page text.
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl")]
    field: String,

    /// Write rejected records (line number, error, raw line) to FILE
    /// instead of listing them on stderr.
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,

    /// Worker threads for directories and streams (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,

    /// In directory mode, skip files whose output is newer than the input.
    #[arg(long)]
    skip_existing: bool,

    /// In directory mode, replace each file by its cleaned text.
    #[arg(long, conflicts_with = "output")]
    in_place: bool,

    /// In directory mode, clean only files whose path under DIR matches
    /// (repeatable; `*.txt`, `news/**/*.txt`).
    #[arg(long, value_name = "PATTERN")]
    glob: Vec<String>,

    /// Keep a page as it was when cleaning would keep less than this share
    /// of its characters (0 switches the safety net off).
    #[arg(long, value_name = "SHARE", default_value_t = dechaff::DEFAULT_MIN_KEPT)]
    min_kept: f64,

    /// Drop the article's headline too, for corpora whose gold is the body
    /// alone
    #[arg(long)]
    no_headline: bool,

    /// No summary line at the end of batch runs.
    #[arg(short, long)]
    quiet: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print every input line, marked kept (+) or removed (-) with the rule
    /// that removed it; in stream modes, add the removals to each record.
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
    if !(0.0..=1.0).contains(&cli.min_kept) {
        return Err(Failure::Usage(format!(
            "--min-kept {}: give a share between 0 and 1",
            cli.min_kept
        )));
    }
    let stream = cli.jsonl || cli.wet;
    let options = Options {
        lang: cli.lang.clone(),
        encoding: cli.encoding.clone(),
        trace: cli.explain && !stream,
        min_kept: cli.min_kept,
        headline: !cli.no_headline,
    };
    let cleaner = Cleaner::new(rules, options)?;
    if let Some(n) = cli.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Failure::Usage(format!("-j {n}: {e}")))?;
    }
    if stream {
        return run_stream(&cleaner, &cli);
    }
    let input = cli.input.clone().ok_or_else(|| {
        Failure::Usage("no input: give a file, a directory or `-` for stdin (see --help)".into())
    })?;
    if input.is_dir() {
        return clean_dir(&cleaner, &input, &cli);
    }
    if cli.in_place || cli.skip_existing || !cli.glob.is_empty() {
        return Err(Failure::Usage(format!(
            "{}: --in-place, --skip-existing and --glob apply to directories",
            input.display()
        )));
    }
    let bytes = read_input(&input)?;
    if dechaff::looks_binary(&bytes) {
        return Err(Failure::Io(format!(
            "{}: looks like a binary file (NUL bytes), not text; not cleaned",
            input.display()
        )));
    }
    let cleaned = cleaner.clean_bytes(&bytes);
    let name = if input.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        input.display().to_string()
    };
    for n in notes(&cleaned) {
        eprintln!("dechaff: {name}{n}");
    }
    let rendered = render(cleaned, &cli);
    match &cli.output {
        Some(path) => cli::write_atomic(path, rendered.as_bytes())
            .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?,
        None => write_stdout(rendered.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// What stderr should hear about a page, each note to follow its name:
/// rules that failed on it, and what the safety net did.
fn notes(cleaned: &Cleaned) -> Vec<String> {
    let mut out: Vec<String> = cleaned
        .warnings
        .iter()
        .map(|w| format!(":{}: warning: rule \"{}\": {}", w.line, w.rule, w.message))
        .collect();
    if let Some(n) = &cleaned.safety_net {
        out.push(format!(
            ": kept as it was: cleaning would keep {:.1}% of it (below --min-kept {}), \
             {:.1}% removed by {}",
            100.0 * n.kept_share,
            n.threshold,
            100.0 * n.top_rule_share,
            n.top_rule
        ));
    }
    out
}

fn run_stream(cleaner: &Cleaner, cli: &Cli) -> Result<ExitCode, Failure> {
    let stdin = PathBuf::from("-");
    let input = cli.input.as_deref().unwrap_or(&stdin);
    if input.is_dir() {
        return Err(Failure::Usage(format!(
            "{}: a directory; --jsonl and --wet read one file or stdin",
            input.display()
        )));
    }
    let job = cli::stream::Job {
        input,
        output: cli.output.as_deref(),
        rejects: cli.rejects.as_deref(),
        quiet: cli.quiet,
    };
    let result = if cli.wet {
        cli::stream::run_wet(cleaner, &job, cli.explain)
    } else {
        let config = dechaff::jsonl::Config {
            field: cli.field.clone(),
            explain: cli.explain,
            ..Default::default()
        };
        cli::stream::run_jsonl(cleaner, &job, &config)
    };
    match result {
        Ok(cli::stream::End::Clean) => Ok(ExitCode::SUCCESS),
        Ok(cli::stream::End::Rejects) => Ok(ExitCode::from(1)),
        Err(b) if b.closed_pipe => Err(Failure::ClosedPipe),
        Err(b) => Err(Failure::Io(b.message)),
    }
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

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failure::ClosedPipe),
        Err(e) => Err(Failure::Io(format!("stdout: {e}"))),
    }
}

/// The output for `cleaned`; takes it by value so the text of a huge page
/// is moved out, not copied.
fn render(cleaned: Cleaned, cli: &Cli) -> String {
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
        return explain(&cleaned, color);
    }
    match cli.format {
        Format::Text => cleaned.text,
        Format::Json => {
            let mut s = serde_json::to_string(&cleaned)
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

fn clean_dir(cleaner: &Cleaner, input: &Path, cli: &Cli) -> Result<ExitCode, Failure> {
    let suffix = if cli.format == Format::Json && !cli.explain && !cli.in_place {
        ".json"
    } else {
        ""
    };
    let job = cli::dir::Job {
        input,
        output: cli.output.as_deref(),
        in_place: cli.in_place,
        skip_existing: cli.skip_existing,
        globs: &cli.glob,
        suffix,
        quiet: cli.quiet,
    };
    let all_ok = cli::dir::run(&job, |path, bytes| {
        if dechaff::looks_binary(bytes) {
            return Err(format!(
                "{}: looks like a binary file (NUL bytes), not text; skipped",
                path.display()
            ));
        }
        let cleaned = cleaner.clean_bytes(bytes);
        Ok(cli::dir::Cleaned {
            netted: cleaned.safety_net.is_some(),
            notes: notes(&cleaned),
            bytes: render(cleaned, cli).into_bytes(),
        })
    })
    .map_err(Failure::Usage)?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
