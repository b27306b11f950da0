//! Shared by the snapshot tests: the report format of one cleaned page.

/// Language, script and encoding, the clean text, then one line per
/// removal (`14 cut_after eng/related-news`), so a reviewer sees why.
pub fn report(c: &dechaff::Cleaned) -> String {
    let mut out = format!(
        "lang: {}\ndetected: {}\nscript: {}\nencoding: {}\nreplaced_bytes: {}\n--- text\n{}--- removed\n",
        c.lang,
        c.detected_lang.as_deref().unwrap_or("none"),
        c.script.as_deref().unwrap_or("none"),
        c.encoding,
        c.replaced_bytes,
        c.text,
    );
    for r in &c.removed {
        let text: String = r.text.chars().take(60).collect();
        out.push_str(&format!(
            "{} {} {} | {}\n",
            r.line,
            r.action.name(),
            r.rule,
            text
        ));
    }
    out
}
