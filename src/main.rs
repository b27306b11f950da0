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
    if stream {
        check_stream_flags(&cli)?;
        build_pool(cli.jobs)?;
        return run_stream(&cleaner, &cli);
    }
    let input = cli.input.clone().ok_or_else(|| {
        Failure::Usage("no input: give a file, a directory or `-` for stdin (see --help)".into())
    })?;
    if input.is_dir() {
        check_dir_flags(&cli)?;
        build_pool(cli.jobs)?;
        return clean_dir(&cleaner, &input, &cli);
    }
    for (given, flag) in [
        (cli.in_place, "--in-place"),
        (cli.skip_existing, "--skip-existing"),
        (!cli.glob.is_empty(), "--glob"),
    ] {
        if given {
            return Err(Failure::Usage(format!(
                "{flag} applies to directories, and {} is not one",
                input.display()
            )));
        }
    }
    if cli.rejects.is_some() {
        return Err(Failure::Usage(
            "--rejects applies to --jsonl and --wet: a single page is cleaned or fails as a whole"
                .into(),
        ));
    }
    if cli.output.is_none() && cli::stdout_was_closed() {
        return Err(closed_stdout());
    }
    // No thread pool: one page is cleaned on this thread, whatever -j says.
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
        Some(path) => write_file(path, rendered.as_bytes())?,
        None => write_stdout(rendered.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Threads per available core at most: more only adds switching and
/// memory (`-j 10000` on one page once took a minute and a load of 800).
const JOBS_PER_CORE: usize = 4;

/// Sets the size of the global rayon pool from `-j`, capped (with a
/// warning) at [`JOBS_PER_CORE`] threads per available core.
fn build_pool(jobs: Option<usize>) -> Result<(), Failure> {
    let Some(asked) = jobs else {
        return Ok(());
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = cores * JOBS_PER_CORE;
    let n = if asked > cap {
        eprintln!(
            "dechaff: warning: -j {asked}: capped at {cap} threads ({JOBS_PER_CORE} per available \
             core, {cores} cores)"
        );
        cap
    } else {
        asked.max(1)
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| Failure::Io(format!("-j {asked}: cannot start the threads: {e}")))
}

/// Refuses the flags a stream run would ignore, and an output that is
/// also the rejects file (both would share one file and corrupt it).
fn check_stream_flags(cli: &Cli) -> Result<(), Failure> {
    let mode = if cli.wet { "--wet" } else { "--jsonl" };
    for (given, flag, why) in [
        (
            cli.in_place,
            "--in-place",
            "it reads one stream and writes another",
        ),
        (cli.skip_existing, "--skip-existing", "it reads one stream"),
        (!cli.glob.is_empty(), "--glob", "it reads one stream"),
        (
            cli.format == Format::Json,
            "--format json",
            "it always writes JSON Lines",
        ),
    ] {
        if given {
            return Err(Failure::Usage(format!(
                "{flag} does not apply with {mode}: {why}"
            )));
        }
    }
    if let (Some(out), Some(rejects)) = (&cli.output, &cli.rejects) {
        let real =
            |p: &Path| cli::resolve(p).map_err(|e| Failure::Io(format!("{}: {e}", p.display())));
        if real(out)? == real(rejects)? {
            return Err(Failure::Usage(format!(
                "--rejects {} is the output file {}: give the rejects a file of their own",
                rejects.display(),
                out.display()
            )));
        }
    }
    if cli.output.is_none() && cli::stdout_was_closed() {
        return Err(closed_stdout());
    }
    Ok(())
}

/// Refuses the flags a directory run would ignore or could not honour.
fn check_dir_flags(cli: &Cli) -> Result<(), Failure> {
    if cli.rejects.is_some() {
        return Err(Failure::Usage(
            "--rejects applies to --jsonl and --wet: in a directory each failed file is \
             reported on stderr"
                .into(),
        ));
    }
    if cli.in_place && cli.skip_existing {
        return Err(Failure::Usage(
            "--skip-existing does not apply with --in-place: each input is its own output, so \
             every file would look up to date"
                .into(),
        ));
    }
    Ok(())
}

fn closed_stdout() -> Failure {
    Failure::Io("stdout: closed, nothing could be written (give -o FILE)".into())
}

/// Writes one page's output to `path` (see `cli::Output`: atomic for a
/// regular file, through a symlink, directly to a device or FIFO,
/// compressed by extension).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    cli::Output::create(path)
        .and_then(|mut out| out.write_all(bytes).and_then(|()| out.finish()))
        .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
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
        // A field the metadata would overwrite is a bad flag, not an I/O
        // failure.
        config.check().map_err(Failure::Usage)?;
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
    // A duplicate of fd 1: `io::stdout()` takes EBADF for success.
    let written = cli::stream::stdout_writer().and_then(|mut out| {
        out.write_all(bytes)?;
        out.flush()
    });
    match written {
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
    .map_err(|stop| match stop {
        cli::dir::Stop::Usage(m) => Failure::Usage(m),
        cli::dir::Stop::Io(m) => Failure::Io(m),
    })?;
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
