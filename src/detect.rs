//! Detection stage: normalised text -> language code, script, confidence.
//!
//! whatlang reads a sample made of the page's longest lines (up to about
//! 1 KB): menus and footers are short lines, often in another language, so
//! the sample is mostly article text and detection is both faster and
//! surer. Chinese is one language in two scripts; whatlang cannot tell them
//! apart, so Hans or Hant is decided here by counting characters that only
//! one of the two scripts uses.

use whatlang::{Lang, Script};

/// Sample size: longer samples barely change whatlang's answer but cost
/// time linearly.
const SAMPLE_BYTES: usize = 1024;
/// Below this confidence whatlang's answer is a guess: the page gets the
/// common rules only.
const MIN_CONFIDENCE: f64 = 0.5;

/// What detection found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detection {
    /// ISO 639-3 code, or `None` when detection was unreliable.
    pub lang: Option<&'static str>,
    /// ISO 15924 script code (`Latn`, `Hans`, `Hant`, `Cyrl`, `Jpan`, ...).
    pub script: Option<&'static str>,
    pub confidence: f64,
}

/// Detects the language and script of `text`.
pub(crate) fn detect(text: &str) -> Detection {
    let sample = sample(text);
    let Some(info) = whatlang::detect(&sample) else {
        return Detection {
            lang: None,
            script: None,
            confidence: 0.0,
        };
    };
    let script = script_code(info.lang(), info.script(), &sample);
    let reliable = info.is_reliable() || info.confidence() >= MIN_CONFIDENCE;
    Detection {
        lang: reliable.then(|| info.lang().code()),
        script: Some(script),
        confidence: (info.confidence() * 1000.0).round() / 1000.0,
    }
}

/// The script of `text`, for pages whose language is given by the user.
pub(crate) fn script_of(text: &str) -> Option<&'static str> {
    let sample = sample(text);
    let info = whatlang::detect(&sample)?;
    Some(script_code(info.lang(), info.script(), &sample))
}

/// The longest lines of `text`, up to [`SAMPLE_BYTES`], in page order.
fn sample(text: &str) -> String {
    let mut lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .collect();
    lines.sort_by_key(|(i, l)| (std::cmp::Reverse(l.len()), *i));
    let mut take = Vec::new();
    let mut size = 0;
    for (i, line) in lines {
        if size >= SAMPLE_BYTES {
            break;
        }
        let mut end = line.len().min(SAMPLE_BYTES * 2);
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
    fn nothing_to_detect() {
        assert_eq!(detect("12 34\n--\n").lang, None);
    }
}
