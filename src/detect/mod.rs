//! Detection stage: normalised text -> language code, script, confidence.
//!
//! whatlang reads a sample made of the page's longest lines (up to about
//! 1 KB): menus and footers are short lines, often in another language, so
//! the sample is mostly article text and detection is both faster and
//! surer. Three more things keep detection from giving up:
//! - **Scripts that decide.** Kana means Japanese, Hangul Korean, Thai
//!   script Thai: counted in the sample before whatlang runs at all.
//! - **An allowlist.** whatlang chooses among the 40 languages dechaff is
//!   meant to serve ([`LANGUAGES`]), not its 69: fewer wrong neighbours
//!   (Norwegian read as Danish was the case; Indonesian as Malay), and
//!   less work per page.
//! - **Families.** Close languages (Bokmål, Nynorsk and Danish; Croatian,
//!   Serbian, Bosnian and Slovenian; Czech and Slovak; Indonesian and
//!   Malay) make whatlang unsure *between themselves*: its confidence is
//!   low because the two best guesses are siblings. An unreliable result
//!   inside a family is kept, and the rule set lookup falls back to a
//!   sibling's file ([`family`]).
//!
//! Chinese is one language in two scripts; whatlang cannot tell them apart,
//! so Hans or Hant is decided here by counting characters that only one of
//! the two scripts uses.

mod trigrams;

use std::sync::OnceLock;

use whatlang::dev::FilterList;
use whatlang::{Detector, Lang, Script};

/// Sample size: longer samples barely change whatlang's answer but cost
/// time linearly. Measured on the fixtures and the development pages (720
/// pages with a known language): 1024 bytes alone got 711 right, 384 alone
/// 710, 128 alone 708; 384 first and 1024 when its confidence is under
/// 0.9, 712 (256 first, 711).
const SAMPLE_BYTES: usize = 1024;
/// The first, shorter sample, and the confidence at which its answer
/// stands (see [`detect`]).
const QUICK_SAMPLE_BYTES: usize = 384;
const QUICK_CONFIDENCE: f64 = 0.9;
/// Below this confidence whatlang's answer is a guess: the page gets the
/// common rules only, unless the guess is in a family.
const MIN_CONFIDENCE: f64 = 0.5;
/// The languages whatlang may answer (ISO 639-3, as whatlang spells them):
/// the 40 with the most web text, which dechaff ships rules for.
pub(crate) const LANGUAGES: [&str; 40] = [
    "eng", "rus", "deu", "jpn", "spa", "fra", "cmn", "ita", "por", "pol", "nld", "tur", "vie",
    "ind", "ces", "kor", "pes", "ara", "swe", "hun", "ell", "ron", "dan", "fin", "ukr", "slk",
    "tha", "bul", "nob", "heb", "hrv", "srp", "lit", "slv", "cat", "est", "lav", "hin", "ben",
    "urd",
];
/// Close languages whose rule sets stand in for each other. Codes whatlang
/// does not detect (nno, bos, msa) are there for `--lang` and rule files.
const FAMILIES: [&[&str]; 4] = [
    &["nob", "nno", "dan"],
    // Slovenian is whatlang's nearest guess to Croatian and back: on
    // Slovenian pages its confidence is often below MIN_CONFIDENCE with slv
    // first and hrv second (1.0 once hrv is not allowed).
    &["hrv", "srp", "bos", "slv"],
    &["ces", "slk"],
    &["ind", "msa"],
];
/// A decisive script must make up this share of the sample's letters:
/// Chinese text quotes a katakana name, English a Korean one.
const KANA_SHARE: f64 = 0.1;
const HANGUL_SHARE: f64 = 0.3;
const THAI_SHARE: f64 = 0.3;

/// The other members of `code`'s family, closest first; empty if it has
/// none.
pub(crate) fn family(code: &str) -> impl Iterator<Item = &'static str> + '_ {
    FAMILIES
        .iter()
        .filter(move |f| f.contains(&code))
        .flat_map(|f| f.iter().copied())
        .filter(move |&c| c != code)
}

/// What detection found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detection {
    /// ISO 639-3 code, or `None` when detection was unreliable.
    pub lang: Option<&'static str>,
    /// ISO 15924 script code (`Latn`, `Hans`, `Hant`, `Cyrl`, `Jpan`, ...).
    pub script: Option<&'static str>,
    pub confidence: f64,
}

fn allowed() -> Vec<Lang> {
    LANGUAGES
        .iter()
        .map(|c| Lang::from_code(*c).expect("LANGUAGES holds whatlang codes (tested)"))
        .collect()
}

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::with_allowlist(allowed()))
}

fn filter() -> &'static FilterList {
    static FILTER: OnceLock<FilterList> = OnceLock::new();
    FILTER.get_or_init(|| FilterList::allow(allowed()))
}

/// whatlang's answer for `sample`: (language, script, confidence).
/// Latin-script text, most of the web, takes the inverted index of
/// [`trigrams`], which gives the same answer for a fraction of the work.
fn whatlang_guess(sample: &str) -> Option<(Lang, Script, f64)> {
    if whatlang::detect_script(sample) == Some(Script::Latin) {
        let (lang, confidence) = trigrams::detect_latin(sample, filter())?;
        return Some((lang, Script::Latin, confidence));
    }
    let info = detector().detect(sample)?;
    Some((info.lang(), info.script(), info.confidence()))
}

/// whatlang's threshold for `Info::is_reliable`.
const RELIABLE: f64 = 0.9;

/// Detects the language and script of `text`: on a short sample first,
/// and on the full one when whatlang is unsure of the short one.
pub(crate) fn detect(text: &str) -> Detection {
    let quick = sample(text, QUICK_SAMPLE_BYTES);
    let first = detect_sample(&quick);
    if first.confidence >= QUICK_CONFIDENCE || quick.len() < QUICK_SAMPLE_BYTES {
        return first;
    }
    detect_sample(&sample(text, SAMPLE_BYTES))
}

fn detect_sample(sample: &str) -> Detection {
    if let Some((lang, script)) = decisive_script(sample) {
        return Detection {
            lang: Some(lang),
            script: Some(script),
            confidence: 1.0,
        };
    }
    let Some((lang, script, confidence)) = whatlang_guess(sample) else {
        return Detection {
            lang: None,
            script: None,
            confidence: 0.0,
        };
    };
    let script = script_code(lang, script, sample);
    let code = lang.code();
    let reliable =
        confidence > RELIABLE || confidence >= MIN_CONFIDENCE || family(code).next().is_some();
    Detection {
        lang: reliable.then_some(code),
        script: Some(script),
        confidence: (confidence * 1000.0).round() / 1000.0,
    }
}

/// Japanese, Korean or Thai when the sample's letters are enough of kana,
/// Hangul or Thai script.
fn decisive_script(sample: &str) -> Option<(&'static str, &'static str)> {
    let (mut letters, mut kana, mut hangul, mut thai) = (0usize, 0usize, 0usize, 0usize);
    for c in sample.chars().filter(|&c| crate::script::is_letter(c)) {
        letters += 1;
        match c {
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => {
                kana += 1
            }
            '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => {
                hangul += 1
            }
            '\u{0E00}'..='\u{0E7F}' => thai += 1,
            _ => {}
        }
    }
    let share = |n: usize| n as f64 / letters.max(1) as f64;
    if kana > 0 && share(kana) >= KANA_SHARE {
        Some(("jpn", "Jpan"))
    } else if hangul > 0 && share(hangul) >= HANGUL_SHARE {
        Some(("kor", "Kore"))
    } else if thai > 0 && share(thai) >= THAI_SHARE {
        Some(("tha", "Thai"))
    } else {
        None
    }
}

/// The script of `text`, for pages whose language is given by the user.
pub(crate) fn script_of(text: &str) -> Option<&'static str> {
    let sample = sample(text, SAMPLE_BYTES);
    if let Some((_, script)) = decisive_script(&sample) {
        return Some(script);
    }
    let (lang, script, _) = whatlang_guess(&sample)?;
    Some(script_code(lang, script, &sample))
}

/// The longest lines of `text`, up to `sample_bytes`, in page order.
fn sample(text: &str, sample_bytes: usize) -> String {
    let mut lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .collect();
    lines.sort_by_key(|(i, l)| (std::cmp::Reverse(l.len()), *i));
    let mut take = Vec::new();
    let mut size = 0;
    for (i, line) in lines {
        if size >= sample_bytes {
            break;
        }
        let mut end = line.len().min(sample_bytes * 2);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        size += end;
        take.push((i, &line[..end]));
    }
    take.sort_by_key(|(i, _)| *i);
    let mut out = String::with_capacity(size + take.len());
    for (_, line) in take {
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn script_code(lang: Lang, script: Script, sample: &str) -> &'static str {
    if lang == Lang::Jpn {
        return "Jpan";
    }
    match script {
        Script::Latin => "Latn",
        Script::Cyrillic => "Cyrl",
        Script::Mandarin => han_script(sample),
        Script::Hiragana | Script::Katakana => "Jpan",
        Script::Hangul => "Kore",
        Script::Arabic => "Arab",
        Script::Greek => "Grek",
        Script::Hebrew => "Hebr",
        Script::Devanagari => "Deva",
        Script::Thai => "Thai",
        Script::Armenian => "Armn",
        Script::Georgian => "Geor",
        Script::Bengali => "Beng",
        Script::Ethiopic => "Ethi",
        Script::Gujarati => "Gujr",
        Script::Gurmukhi => "Guru",
        Script::Kannada => "Knda",
        Script::Khmer => "Khmr",
        Script::Malayalam => "Mlym",
        Script::Myanmar => "Mymr",
        Script::Oriya => "Orya",
        Script::Sinhala => "Sinh",
        Script::Tamil => "Taml",
        Script::Telugu => "Telu",
    }
}

/// Characters of frequent words that differ between the two scripts, as
/// pairs: simplified then traditional. Characters common to both (台, 系,
/// 了) are left out because they say nothing.
const HAN_PAIRS: &str = "国國关關这這们們说說时時会會对對发發经經学學为為个個过過开開还還进進\
长長问問门門见見点點东東车車电電话話书書与與实實现現体體听聽机機认認识識际際运運动動种種\
应應让讓论論变變议議权權历歷压壓区區党黨报報边邊战戰斗鬥两兩亚亞产產亲親务務华華协協单單\
卫衛厂廠县縣参參双雙号號叶葉后後员員团團围圍园園图圖场場坏壞备備复復头頭夺奪奋奮妇婦孙孫\
宁寧宝寶将將尔爾尽盡层層岁歲岛島币幣师師带帶帮幫库庫广廣庆慶异異张張强強归歸当當录錄忆憶\
怀懷态態总總恶惡户戶扩擴扫掃执執护護担擔拥擁择擇挥揮损損据據换換摄攝敌敵数數断斷无無旧舊\
显顯术術杂雜条條来來杨楊极極构構标標样樣树樹桥橋检檢欢歡欧歐残殘毕畢气氣汇匯汉漢沟溝没沒\
济濟测測满滿灭滅灵靈热熱爱愛状狀独獨环環画畫疗療监監盖蓋盘盤确確础礎礼禮积積称稱稳穩穷窮\
竞競笔筆筑築简簡类類级級纪紀约約红紅纳納线線练練组組细細终終结結给給统統继繼绩績续續维維\
综綜网網罗羅职職联聯胜勝脑腦节節艺藝药藥获獲营營虑慮补補观觀规規视視览覽计計订訂讨討训訓\
记記讲講许許设設证證评評诉訴试試询詢该該语語误誤请請读讀调調谈談谢謝贝貝负負贡貢财財责責\
败敗货貨质質购購贸貿费費资資赛賽赵趙轮輪软軟转轉轻輕载載较較辑輯输輸达達迁遷远遠违違连連\
选選递遞邓鄧邮郵释釋针針钱錢铁鐵银銀销銷错錯键鍵镇鎮间間闻聞闭閉阅閱队隊阳陽阶階陆陸陈陳\
险險随隨隐隱难難须須顺順领領频頻题題颜顏风風飞飛饭飯马馬驻駐验驗鱼魚鸟鳥龙龍";

/// `Hant` when traditional-only characters outnumber simplified-only ones.
/// [`HAN_PAIRS`] as a sorted table of (character, is traditional), built
/// once: a linear search per character cost a tenth of all cleaning time.
fn han_table() -> &'static [(char, bool)] {
    static TABLE: std::sync::OnceLock<Vec<(char, bool)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        // Pairs alternate simplified, traditional: the position's parity
        // says which script a character belongs to.
        let mut t: Vec<(char, bool)> = HAN_PAIRS
            .chars()
            .filter(|h| !h.is_whitespace())
            .enumerate()
            .map(|(i, h)| (h, i % 2 == 1))
            .collect();
        t.sort_unstable();
        t.dedup_by_key(|&mut (h, _)| h);
        t
    })
}

fn han_script(sample: &str) -> &'static str {
    let (mut simp, mut trad) = (0usize, 0usize);
    for c in sample
        .chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
    {
        match han_table().binary_search_by_key(&c, |&(h, _)| h) {
            Ok(i) if han_table()[i].1 => trad += 1,
            Ok(_) => simp += 1,
            Err(_) => {}
        }
    }
    if trad > simp {
        "Hant"
    } else {
        "Hans"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_pairs() {
        assert_eq!(HAN_PAIRS.chars().count() % 2, 0);
    }

    #[test]
    fn simplified_and_traditional() {
        let simp = "中国和越南的关系在经济发展方面取得了进展，两国领导人进行了会谈。";
        let trad = "中國和越南的關係在經濟發展方面取得了進展，兩國領導人進行了會談。";
        assert_eq!(detect(simp).script, Some("Hans"));
        assert_eq!(detect(trad).script, Some("Hant"));
        assert_eq!(detect(trad).lang, Some("cmn"));
    }

    #[test]
    fn long_lines_outvote_short_clutter() {
        let text = "Home\nNews\nSport\nContact\nDet tradisjonelle gode vennskapet og samarbeidet mellom de to landene har vært i stadig utvikling og blitt mer og mer dyptgående på alle felt.\n";
        assert_eq!(detect(text).lang, Some("nob"));
    }

    #[test]
    fn the_allowlist_holds_whatlang_codes_and_families_name_it() {
        assert!(LANGUAGES.iter().all(|c| Lang::from_code(*c).is_some()));
        for f in FAMILIES {
            assert!(f.iter().any(|c| LANGUAGES.contains(c)), "{f:?}");
        }
        assert_eq!(family("dan").collect::<Vec<_>>(), ["nob", "nno"]);
        assert_eq!(family("eng").count(), 0);
    }

    #[test]
    fn decisive_scripts_win() {
        let jpn =
            "Tokyo Station News Sports Weather Business\n東京都は月曜日、新しい予算案を発表した。";
        assert_eq!(detect(jpn).lang, Some("jpn"));
        assert_eq!(
            detect("서울시는 월요일 새 예산안을 발표했다").lang,
            Some("kor")
        );
        assert_eq!(
            detect("กรุงเทพมหานครประกาศงบประมาณใหม่ในวันจันทร์").lang,
            Some("tha")
        );
        // One Korean name in English text decides nothing.
        let eng = "The minister met 윤석열 on Monday to discuss the new trade agreement between the two countries.";
        assert_eq!(detect(eng).lang, Some("eng"));
    }

    #[test]
    fn an_unsure_result_inside_a_family_is_kept() {
        // Short Bokmål: whatlang hesitates between nob and dan.
        let d = detect("Det er ikke lett å si hva som skjer nå.");
        assert!(matches!(d.lang, Some("nob" | "dan")), "{d:?}");
        // Slovenian: whatlang says slv, unsure because hrv is close behind.
        let d = detect(
            "Mesto je napovedalo, da bo festival prihodnje leto trajal štiri dni in se razširil tudi na Trnovo.",
        );
        assert!(d.confidence < MIN_CONFIDENCE, "{d:?}");
        assert_eq!(d.lang, Some("slv"), "{d:?}");
    }

    #[test]
    fn nothing_to_detect() {
        assert_eq!(detect("12 34\n--\n").lang, None);
    }
}
