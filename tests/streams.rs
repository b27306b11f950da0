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

use common::{bin, exited_one, scratch};

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
