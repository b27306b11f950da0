//! JSON Lines and WET streams through the real binary: records in =
//! records out + rejects, order kept, other fields untouched, compressed
//! files by extension.

mod common;
mod wet_sample;

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::Value;

use common::{bin, exited_one, scratch, succeeded};

const PAGE: &str = "Home\nNews\n\nThe city council approved the new budget on Monday after a long debate about school funding, road repairs and the library.\n\nShare on Facebook\n";

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// Records covering every way a line can go wrong, with their fates.
fn mixed_input() -> (String, usize, Vec<usize>) {
    let big = format!(
        "{}\n\nThe end of a very long record about the council budget, roads and the library.",
        "A long paragraph about the council and its budget for schools and roads. ".repeat(140_000)
    );
    let records = [
        serde_json::json!({"id": 1, "text": PAGE, "meta": {"lang": "en", "n": 1.50}}).to_string(),
        "{\"id\": 2, \"text\": \"unterminated".to_owned(),
        serde_json::json!({"id": 3, "url": "https://example.com/no-text"}).to_string(),
        serde_json::json!({"id": 4, "text": 42}).to_string(),
        serde_json::json!({"id": 5, "text": big}).to_string(),
        String::new(),
        serde_json::json!({"id": 6, "text": "相关新闻\n\n市议会周一批准了新的预算,经过长时间的辩论,涉及学校经费、道路维修和图书馆建设等多个方面的问题,各方代表都表达了意见。"}).to_string(),
    ];
    let mut input = records.join("\n");
    input.push('\n');
    // 6 records (one blank line is not a record); lines 2, 3, 4 rejected.
    (input, 6, vec![2, 3, 4])
}

fn check_mixed(out: &[u8], rejects: &[u8]) {
    let out = lines(out);
    let rejects = lines(rejects);
    let (_, records, bad) = mixed_input();
    assert_eq!(
        out.len() + rejects.len(),
        records,
        "records in = out + rejects"
    );
    let ids: Vec<i64> = out.iter().map(|r| r["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, [1, 5, 6], "input order kept");
    let got: Vec<usize> = rejects
        .iter()
        .map(|r| r["line"].as_u64().expect("line") as usize)
        .collect();
    assert_eq!(got, bad);
    assert!(rejects[0]["raw"]
        .as_str()
        .expect("raw")
        .starts_with("{\"id\": 2"));
    assert_eq!(rejects[1]["error"], "no field \"text\"");
    assert_eq!(
        rejects[2]["error"],
        "field \"text\" is a number, not a string"
    );
    assert_eq!(out[0]["text"], "The city council approved the new budget on Monday after a long debate about school funding, road repairs and the library.\n");
    assert_eq!(out[0]["meta"], serde_json::json!({"lang": "en", "n": 1.50}));
    assert_eq!(out[0]["dechaff"]["lang"], "eng");
    assert!(out[0]["dechaff"]["removed_chars"].as_u64().expect("count") > 0);
    assert!(
        out[1]["text"].as_str().expect("text").len() > 10_000_000,
        "the 10 MB record survives"
    );
    assert!(!out[2]["text"].as_str().expect("text").contains("相关新闻"));
}

#[test]
fn jsonl_file_with_bad_lines_to_file_and_rejects() {
    let dir = scratch("streams-jsonl");
    let (input, _, _) = mixed_input();
    fs::write(dir.join("in.jsonl"), &input).expect("write");
    let out = bin()
        .arg("--jsonl")
        .arg(dir.join("in.jsonl"))
        .arg("-o")
        .arg(dir.join("out.jsonl"))
        .arg("--rejects")
        .arg(dir.join("rejects.jsonl"))
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "rejects set the status");
    assert!(
        stderr.contains("6 records: 3 cleaned, 3 rejected"),
        "{stderr}"
    );
    assert!(stderr.contains("1 blank lines skipped"), "{stderr}");
    check_mixed(
        &fs::read(dir.join("out.jsonl")).expect("out"),
        &fs::read(dir.join("rejects.jsonl")).expect("rejects"),
    );
}

#[test]
fn jsonl_gzip_in_zstd_out_and_stdin_to_stdout() {
    let dir = scratch("streams-jsonl-compressed");
    let (input, _, _) = mixed_input();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(input.as_bytes()).expect("compress");
    fs::write(dir.join("in.jsonl.gz"), gz.finish().expect("finish")).expect("write");
    let out = bin()
        .arg("--jsonl")
        .arg(dir.join("in.jsonl.gz"))
        .args(["-j", "2", "-o"])
        .arg(dir.join("out.jsonl.zst"))
        .arg("--rejects")
        .arg(dir.join("rejects.jsonl.gz"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let zst = fs::read(dir.join("out.jsonl.zst")).expect("out");
    let plain = zstd::decode_all(&zst[..]).expect("valid zstd");
    check_mixed(
        &plain,
        &gunzip(&fs::read(dir.join("rejects.jsonl.gz")).expect("rejects")),
    );

    // The same stream through a pipe; rejects are listed on stderr.
    let (child, feeder) = jsonl_through_pipes(input);
    let piped = child.wait_with_output().expect("runs");
    feeder.join().expect("fed");
    assert_eq!(lines(&piped.stdout).len(), 3);
    let stderr = String::from_utf8_lossy(&piped.stderr);
    for n in [2, 3, 4] {
        assert!(stderr.contains(&format!("line {n}: ")), "{stderr}");
    }
}

#[test]
fn jsonl_other_field_and_explain() {
    let dir = scratch("streams-jsonl-field");
    let record = serde_json::json!({"body": PAGE, "text": "left alone"}).to_string();
    fs::write(dir.join("in.jsonl"), format!("{record}\n")).expect("write");
    let out = bin()
        .args(["--jsonl", "--explain", "--field", "body"])
        .arg(dir.join("in.jsonl"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let rec = &lines(&out.stdout)[0];
    assert_eq!(rec["text"], "left alone");
    assert!(rec["body"]
        .as_str()
        .expect("body")
        .starts_with("The city council"));
    let removed = rec["dechaff"]["removed"].as_array().expect("explained");
    assert!(removed
        .iter()
        .any(|r| r["text"] == "Share on Facebook" && r["rule"].is_string()));
}

fn check_wet(path: &Path, sample: &wet_sample::SampleWet, rejects: &Path) {
    let out = bin()
        .arg("--wet")
        .arg(path)
        .arg("-o")
        .arg(path.with_extension("out.jsonl"))
        .arg("--rejects")
        .arg(rejects)
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "bad records set the status");
    let docs = lines(&fs::read(path.with_extension("out.jsonl")).expect("out"));
    let bad = lines(&fs::read(rejects).expect("rejects"));
    assert_eq!(
        docs.len() + bad.len() + sample.infos,
        sample.records,
        "{stderr}"
    );
    assert_eq!(docs.len(), sample.docs.len());
    assert_eq!(bad.len(), sample.errors);
    for (got, want) in docs.iter().zip(&sample.docs) {
        assert_eq!(got["url"], want.url);
        assert_eq!(got["warc_record_id"], want.record_id);
        assert_eq!(got["date"], want.date);
        assert_eq!(got["dechaff"]["lang"], want.lang);
        let text = got["text"].as_str().expect("text");
        assert!(
            !text.contains(want.drops),
            "{} kept {:?}",
            want.url,
            want.drops
        );
        assert!(text.len() > 100, "{text}");
    }
    let numbers: Vec<u64> = bad
        .iter()
        .map(|r| r["record"].as_u64().expect("number"))
        .collect();
    assert_eq!(numbers, sample.error_records);
}

#[test]
fn wet_files_become_clean_json_lines() {
    let dir = scratch("streams-wet");
    for (i, c) in [
        wet_sample::Compression::Plain,
        wet_sample::Compression::Gzip,
        wet_sample::Compression::Zstd,
    ]
    .into_iter()
    .enumerate()
    {
        let sub = dir.join(i.to_string());
        fs::create_dir_all(&sub).expect("mkdir");
        let sample = wet_sample::write_sample_wet(&sub, c);
        check_wet(&sample.path, &sample, &sub.join("rejects.jsonl"));
    }
}

/// `dechaff --jsonl` with all three pipes, fed `input` from a thread (a
/// write error, as when the child stops reading, ends the feeding).
fn jsonl_through_pipes(input: String) -> (Child, std::thread::JoinHandle<()>) {
    let mut child = bin()
        .arg("--jsonl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut stdin = child.stdin.take().expect("piped");
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    (child, feeder)
}

#[test]
fn closed_stdout_stops_a_stream_quietly() {
    let record = serde_json::json!({"text": PAGE}).to_string();
    let input: String = std::iter::repeat_n(format!("{record}\n"), 20_000).collect();
    let (mut child, feeder) = jsonl_through_pipes(input);
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("piped")
        .read_exact(&mut first)
        .expect("some output");
    // stdout is dropped here: the next write fails with a broken pipe.
    let status = child.wait().expect("exits");
    feeder.join().expect("fed");
    assert_eq!(status.code(), Some(0));
}

/// `n` records `{"id": i, "text": PAGE}`, one per line.
fn numbered(n: usize) -> String {
    (0..n)
        .map(|i| serde_json::json!({"id": i, "text": PAGE}).to_string() + "\n")
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("compress");
    gz.finish().expect("finish")
}

/// Runs `dechaff ARGS` through `sh` with stdout closed (`>&-`).
fn with_stdout_closed(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$@\" >&-")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_dechaff"))
        .args(args)
        .output()
        .expect("sh runs")
}

#[test]
fn closed_or_full_stdout_is_an_error_naming_stdout() {
    let dir = scratch("streams-stdout-closed");
    let input = dir.join("in.jsonl");
    fs::write(&input, numbered(3)).expect("write");
    let sample = wet_sample::write_sample_wet(&dir, wet_sample::Compression::Plain);
    for mode in ["--jsonl", "--wet"] {
        let file = if mode == "--wet" {
            &sample.path
        } else {
            &input
        };
        let out = with_stdout_closed(&[mode.as_ref(), file.as_os_str()]);
        let stderr = exited_one(&out, "closed stdout");
        assert!(
            stderr.contains("dechaff: stdout: closed"),
            "{mode}: {stderr}"
        );
        assert!(!stderr.contains("cleaned"), "{mode}: no summary: {stderr}");

        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = bin()
            .arg(mode)
            .arg(file)
            .stdout(full)
            .output()
            .expect("runs");
        let stderr = exited_one(&out, "full stdout");
        assert!(
            stderr.contains("dechaff: stdout: No space left on device"),
            "{mode}: {stderr}"
        );
        assert!(!stderr.contains(&file.display().to_string()), "{stderr}");
    }
    // Discarding the output on purpose stays a success.
    let out = bin()
        .arg("--jsonl")
        .arg(&input)
        .stdout(Stdio::null())
        .output()
        .expect("runs");
    succeeded(&out);
}

/// Checks a run over a stream that breaks off after `good` records (or
/// after at least one when `good` is `None`): every record before the
/// break written in order, the break one reject with its offset, exit 1.
fn check_broken(
    out: &std::process::Output,
    written: &[u8],
    rejects: Option<&[u8]>,
    good: Option<usize>,
) {
    let stderr = exited_one(out, "a broken input is reported");
    let records = lines(written);
    if let Some(n) = good {
        assert_eq!(records.len(), n, "{stderr}");
    }
    assert!(!records.is_empty(), "{stderr}");
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["id"], i, "input order, nothing skipped");
    }
    let n = records.len();
    assert!(
        stderr.contains(&format!("{} records: {n} cleaned, 1 rejected", n + 1)),
        "{stderr}"
    );
    assert!(stderr.contains("broke off at byte "), "{stderr}");
    let error = match rejects {
        Some(bytes) => {
            let rejects = lines(bytes);
            assert_eq!(rejects.len(), 1);
            assert_eq!(rejects[0]["line"], n + 1);
            rejects[0]["error"].as_str().expect("error").to_owned()
        }
        None => stderr.clone(),
    };
    assert!(error.contains("input broke off at byte "), "{error}");
}

#[test]
fn a_damaged_compressed_tail_keeps_every_record_before_it() {
    let dir = scratch("streams-broken-tail");
    let plain = numbered(2_500);
    let whole = gzip(plain.as_bytes());
    let zst = zstd::encode_all(plain.as_bytes(), 3).expect("zstd");
    let cases: [(&str, Vec<u8>, Option<usize>); 4] = [
        (
            "zeros.jsonl.gz",
            [whole.clone(), vec![0; 512]].concat(),
            Some(2_500),
        ),
        (
            "garbage.jsonl.gz",
            [whole.clone(), b"not gzip at all".to_vec()].concat(),
            Some(2_500),
        ),
        ("cut.jsonl.gz", whole[..whole.len() * 3 / 4].to_vec(), None),
        ("cut.jsonl.zst", zst[..zst.len() * 3 / 4].to_vec(), None),
    ];
    for (name, bytes, good) in cases {
        let input = dir.join(name);
        fs::write(&input, &bytes).expect("write");
        let output = dir.join(format!("{name}.out.jsonl"));
        let rejects = dir.join(format!("{name}.rejects.jsonl"));
        let out = bin()
            .arg("--jsonl")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .arg("--rejects")
            .arg(&rejects)
            .output()
            .expect("runs");
        let written = fs::read(&output).unwrap_or_else(|e| panic!("{name}: no output: {e}"));
        let rejected = fs::read(&rejects).expect("rejects");
        check_broken(&out, &written, Some(&rejected), good);

        // The same to stdout: everything before the break, then the summary.
        let out = bin().arg("--jsonl").arg(&input).output().expect("runs");
        check_broken(&out, &out.stdout, None, good);
    }
}

#[test]
fn json_lines_hostile_records() {
    let dir = scratch("streams-hostile-records");
    let page = serde_json::to_string(PAGE).expect("json");
    let records = [
        // 1: a duplicate text key: rejected, never written twice.
        format!("{{\"id\":1,\"text\":\"Menu\",\"text\":{page}}}"),
        // 2: a lone surrogate: cleaned with U+FFFD, counted.
        format!(
            "{{\"id\":2,\"text\":{}}}",
            page.replace("budget", "budget \\ud800")
        ),
        // 3: keys and other values exactly as written.
        format!("{{\"a\\/b\" : 1,\"\\u00e9\":\"x\\/y\" ,\"id\":3,  \"text\":{page},\"n\":1.0E+2}}"),
    ];
    fs::write(
        dir.join("in.jsonl"),
        format!("\u{feff}{}\n", records.join("\n")),
    )
    .expect("write");
    let out = bin()
        .arg("--jsonl")
        .arg(dir.join("in.jsonl"))
        .arg("--rejects")
        .arg(dir.join("rejects.jsonl"))
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "the duplicate key is rejected");
    assert!(
        stderr.contains("3 records: 2 cleaned, 1 rejected"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 lone surrogate escapes replaced by U+FFFD"),
        "{stderr}"
    );
    let rejects = lines(&fs::read(dir.join("rejects.jsonl")).expect("rejects"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["line"], 1, "the BOM is not part of the record");
    assert_eq!(
        rejects[0]["error"],
        "field \"text\" appears 2 times: which one holds the page is ambiguous"
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let written: Vec<&str> = text.lines().collect();
    assert_eq!(written.len(), 2);
    let surrogate: Value = serde_json::from_str(written[0]).expect("json");
    assert!(surrogate["text"]
        .as_str()
        .expect("text")
        .contains("budget \u{fffd} on Monday"));
    assert_eq!(surrogate["dechaff"]["replaced_surrogates"], 1);
    assert!(
        written[1].starts_with("{\"a\\/b\":1,\"\\u00e9\":\"x\\/y\",\"id\":3,\"text\":\"The city"),
        "{}",
        written[1]
    );
    assert!(
        written[1].contains("\",\"n\":1.0E+2,\"dechaff\":{"),
        "{}",
        written[1]
    );
}

#[test]
fn the_metadata_key_is_refused_as_the_text_field() {
    let dir = scratch("streams-field-dechaff");
    fs::write(dir.join("in.jsonl"), numbered(2)).expect("write");
    let out = bin()
        .args(["--jsonl", "--field", "dechaff"])
        .arg(dir.join("in.jsonl"))
        .arg("-o")
        .arg(dir.join("out.jsonl"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a bad flag: {stderr}");
    assert!(stderr.contains("--field \"dechaff\": "), "{stderr}");
    assert!(!dir.join("out.jsonl").exists(), "nothing written");
}

#[test]
fn wet_with_a_bom_stray_bytes_and_many_blank_lines_loses_no_record() {
    let dir = scratch("streams-wet-framing");
    let records = wet_sample::sample_records();
    // A BOM first; stray bytes before the German page (behind the bad
    // record they would be part of it); 67 line breaks after the German one.
    let mut input = b"\xef\xbb\xbf".to_vec();
    for (i, r) in records[..5].iter().enumerate() {
        if i == 4 {
            input.extend_from_slice(b"\x00ab");
        }
        input.extend_from_slice(r);
        if i == 4 {
            input.extend_from_slice(&b"\n".repeat(67));
        }
    }
    input.extend_from_slice(&wet_sample::wet_record(
        "conversion",
        "<urn:uuid:last>",
        Some("https://last.example.com/"),
        wet_sample::DATE,
        wet_sample::DOCS[0].body,
        None,
    ));
    fs::write(dir.join("in.warc.wet"), &input).expect("write");
    let out = bin()
        .arg("--wet")
        .arg(dir.join("in.warc.wet"))
        .arg("--rejects")
        .arg(dir.join("rejects.jsonl"))
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "the bad record and the stray bytes");
    let docs = lines(&out.stdout);
    let urls: Vec<&str> = docs
        .iter()
        .map(|d| d["url"].as_str().expect("url"))
        .collect();
    assert_eq!(
        urls,
        [
            wet_sample::DOCS[0].url,
            wet_sample::DOCS[1].url,
            wet_sample::DOCS[2].url,
            "https://last.example.com/"
        ],
        "{stderr}"
    );
    let rejects = lines(&fs::read(dir.join("rejects.jsonl")).expect("rejects"));
    let errors: Vec<&str> = rejects
        .iter()
        .map(|r| r["error"].as_str().expect("error"))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("invalid Content-Length \"12x\""),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("expected a \"WARC/1.x\" line, found \"\\0ab\""),
        "{errors:?}"
    );
    assert!(
        stderr.contains("7 records: 4 documents cleaned, 2 rejected, 1 not documents"),
        "{stderr}"
    );
}
