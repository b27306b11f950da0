//! Timing, peak resident memory (of this process or of a child) and the
//! result table.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Bytes per MB in every figure (decimal, as in MB/s).
pub const MB: f64 = 1e6;

/// One line of the result table; fields left `None` print as `-`.
#[derive(Default)]
pub struct Row {
    /// The case, `group/variant`.
    pub name: String,
    /// Input bytes (for MB and MB/s).
    pub bytes: Option<u64>,
    /// Wall-clock seconds.
    pub secs: f64,
    /// Peak resident memory in MB.
    pub rss_mb: Option<f64>,
    /// Seconds of the floor (a plain copy of the same bytes).
    pub floor_secs: Option<f64>,
    /// Free text after the figures.
    pub note: String,
}

/// Prints the column titles.
pub fn header() {
    println!();
    println!(
        "{:<30} {:>9} {:>9} {:>9} {:>9} {:>8}  notes",
        "case", "input MB", "seconds", "MB/s", "peak MB", "x floor"
    );
    println!("{}", "-".repeat(86));
}

impl Row {
    /// Prints the row as one table line.
    pub fn print(&self) {
        let dash = || "-".to_owned();
        let mb = self
            .bytes
            .map_or_else(dash, |b| format!("{:.1}", b as f64 / MB));
        let rate = self
            .bytes
            .map_or_else(dash, |b| format!("{:.1}", b as f64 / MB / self.secs));
        let rss = self.rss_mb.map_or_else(dash, |r| format!("{r:.1}"));
        let floor = self
            .floor_secs
            .map_or_else(dash, |f| format!("{:.1}", self.secs / f));
        println!(
            "{:<30} {mb:>9} {:>9.3} {rate:>9} {rss:>9} {floor:>8}  {}",
            self.name, self.secs, self.note
        );
    }

    /// MB per second, if the row has an input size.
    pub fn rate(&self) -> f64 {
        self.bytes.map_or(0.0, |b| b as f64 / MB / self.secs)
    }
}

/// Prints an indented remark under the table's last line.
pub fn remark(text: &str) {
    println!("    {text}");
}

/// Runs `f` and returns its result with the seconds it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed().as_secs_f64())
}

/// Resets this process's peak resident memory to its current value
/// (Linux `clear_refs` 5; where it fails, the peak stays the run's peak).
/// Memory freed earlier is first handed back to the system (glibc keeps
/// it otherwise), so it does not count against the next case.
pub fn reset_peak_rss() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// This process's peak resident memory (VmHWM) since the last reset, MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kb: f64 = kb.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024.0 / MB)
}

/// What a finished child did.
pub struct ChildRun {
    /// Wall-clock seconds from spawn to exit.
    pub secs: f64,
    /// The child's peak resident memory, MB (from `wait4`).
    pub rss_mb: f64,
    /// Exit status, or -signal when killed by a signal.
    pub code: i32,
    /// What it wrote to stderr.
    pub stderr: String,
}

impl ChildRun {
    /// The last line of stderr (the CLI's summary), or a note of the exit.
    pub fn summary(&self) -> String {
        let last = self.stderr.lines().rev().find(|l| !l.trim().is_empty());
        match (self.code, last) {
            (0, Some(line)) => line.to_owned(),
            (0, None) => String::new(),
            (code, Some(line)) => format!("EXIT {code}: {line}"),
            (code, None) => format!("EXIT {code}"),
        }
    }
}

/// The first argument that turns the bench binary into a launcher.
pub const LAUNCH: &str = "--launch-child";

/// Runs `cmd` to completion with stdin and stdout from/to the given files
/// (else null) and stderr captured in `scratch/stderr.txt`.
///
/// The command runs under a launcher: this binary started afresh (see
/// [`launch`]), which times it and reads its peak memory with `wait4`.
/// Spawned straight from this process, the child's `ru_maxrss` would start
/// at this process's own peak (Linux carries the old address space's
/// high-water mark across `exec`), and the mix held here is hundreds of MB.
pub fn run_child(
    cmd: &mut Command,
    stdin: Option<&Path>,
    stdout: Option<&Path>,
    scratch: &Path,
) -> ChildRun {
    let err_path = scratch.join("stderr.txt");
    let report = scratch.join("child-usage.txt");
    let err = File::create(&err_path).expect("scratch is writable");
    let exe = std::env::current_exe().expect("the bench binary has a path");
    let mut launcher = Command::new(exe);
    launcher
        .arg(LAUNCH)
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    launcher.stdin(stdin.map_or_else(Stdio::null, |p| {
        Stdio::from(File::open(p).expect("input exists"))
    }));
    launcher.stdout(stdout.map_or_else(Stdio::null, |p| {
        Stdio::from(File::create(p).expect("scratch is writable"))
    }));
    launcher.stderr(Stdio::from(err));
    let status = launcher.status().expect("the launcher runs");
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let usage = std::fs::read_to_string(&report).unwrap_or_default();
    let fields: Vec<f64> = usage
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [secs, rss_kb, code] = fields[..] else {
        panic!("launcher failed ({status}): {stderr}");
    };
    ChildRun {
        secs,
        // ru_maxrss is in KiB on Linux.
        rss_mb: rss_kb * 1024.0 / MB,
        code: code as i32,
        stderr,
    }
}

/// The launcher: runs `PROGRAM ARGS..` with this process's stdio, and
/// writes `seconds max_rss_kib exit_code` to `REPORT`. Arguments after
/// [`LAUNCH`]: `REPORT PROGRAM ARGS..`.
pub fn launch(mut args: impl Iterator<Item = std::ffi::OsString>) -> ! {
    let report = args.next().expect("launcher: report path");
    let program = args.next().expect("launcher: program");
    let start = Instant::now();
    let child = match Command::new(&program).args(args).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("cannot run {}: {e}", program.to_string_lossy());
            let _ = std::fs::write(&report, "0 0 127");
            std::process::exit(1);
        }
    };
    let (status, usage) = wait4(child.id());
    let secs = start.elapsed().as_secs_f64();
    // The child is reaped; dropping the handle neither waits nor kills.
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let line = format!("{secs} {} {code}", usage.ru_maxrss);
    std::fs::write(&report, line).expect("launcher: report is writable");
    std::process::exit(0);
}

/// Waits for one child and returns its status and resource usage.
fn wait4(pid: u32) -> (i32, libc::rusage) {
    let pid = libc::pid_t::try_from(pid).expect("pids fit pid_t");
    let mut status = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are valid for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return (status, usage);
        }
        let err = std::io::Error::last_os_error();
        assert!(
            err.kind() == std::io::ErrorKind::Interrupted,
            "wait4 failed: {err}"
        );
    }
}

/// Median of `runs` timings of `cmd` (stdout and stderr discarded), in ms,
/// with the largest peak memory in MB and the worst exit status.
pub fn median_ms(cmd: &mut Command, runs: usize, scratch: &Path) -> (f64, f64, i32) {
    let mut times = Vec::with_capacity(runs);
    let (mut rss, mut code) = (0.0f64, 0);
    for _ in 0..runs {
        let run = run_child(cmd, None, None, scratch);
        if code == 0 {
            code = run.code;
        }
        rss = rss.max(run.rss_mb);
        times.push(run.secs * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[runs / 2], rss, code)
}
