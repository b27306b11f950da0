//! The compiled half of the `dechaff` Python package (`dechaff._dechaff`).
//!
//! Everything here is a thin layer over the public Rust API: a [`Cleaner`]
//! keeps the options and the rule files' sources (so it pickles, and a worker
//! rebuilds the engine on first use), the cleaning itself always runs with
//! the GIL released, and every call is wrapped so that a panic in Rust comes
//! back as a Python `RuntimeError` instead of aborting the interpreter.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::builder::{Int64Builder, LargeStringBuilder, StringBuilder, StringViewBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{make_array, Array, ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_data::ArrayData;
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Fields, Schema};
use pyo3::exceptions::{
    PyFileNotFoundError, PyNotADirectoryError, PyOSError, PyPermissionError, PyRuntimeError,
    PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use dechaff::{Error, Options, RuleProblem, RuleSet};

pyo3::create_exception!(
    _dechaff,
    RuleError,
    PyValueError,
    "A rule file is invalid. `str(err)` is the CLI's message, one `file:line:col: message` \
     per problem; `err.problems` lists them as dicts; `err.file`, `err.line`, `err.col` \
     locate the first."
);

/// What a [`Cleaner`] is made of: everything needed to rebuild its engine in
/// another process, and nothing that refers to this one.
#[derive(Clone, Debug)]
struct Config {
    lang: Option<String>,
    encoding: Option<String>,
    min_kept: f64,
    /// Keep the article's headline (`Options::headline`; the CLI's
    /// `--no-headline` is false).
    headline: bool,
    /// Rule files as (label, source), in the order they are added. The label
    /// is what error messages name: the path as the CLI would print it.
    rule_files: Vec<(String, String)>,
}

/// Reads a rule directory the way `--rules DIR` does: every `*.yaml` and
/// `*.yml` file, sorted by path. A file that is not UTF-8 is a problem of
/// its own, reported together with the others.
/// A rule file read from disk: its label, and its text or why it has none.
type RuleSource = (String, Result<String, RuleProblem>);

/// What `__reduce__` hands to `_from_state`: lang, encoding, min_kept,
/// headline and the rule files.
type State = (
    Option<String>,
    Option<String>,
    f64,
    bool,
    Vec<(String, String)>,
);

fn read_rule_dir(dir: &Path) -> Result<Vec<RuleSource>, Error> {
    let io = |path: &Path, source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if is_yaml && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let label = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let src = String::from_utf8(bytes).map_err(|_| RuleProblem {
            file: label.clone(),
            line: 0,
            col: 0,
            rule: None,
            message: "not valid UTF-8: save rule files as UTF-8".into(),
        });
        files.push((label, src));
    }
    Ok(files)
}

/// Builds the engine, collecting every problem of every rule file before
/// failing, as the CLI does.
fn build(config: &Config) -> Result<dechaff::Cleaner, Error> {
    let mut rules = RuleSet::builtin();
    let mut problems = Vec::new();
    for (label, src) in &config.rule_files {
        match rules.add_yaml(label, src) {
            Ok(()) => {}
            Err(Error::Rules(p)) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Rules(problems));
    }
    let options = Options {
        lang: config.lang.clone(),
        encoding: config.encoding.clone(),
        trace: false,
        min_kept: config.min_kept,
        headline: config.headline,
    };
    dechaff::Cleaner::new(rules, options)
}

fn problem_dict<'py>(py: Python<'py>, p: &RuleProblem) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("file", &p.file)?;
    d.set_item("line", p.line)?;
    d.set_item("col", p.col)?;
    d.set_item("rule", &p.rule)?;
    d.set_item("message", &p.message)?;
    Ok(d)
}

/// The Python exception for a library error, with the CLI's message.
fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Rules(problems) => {
            let err = RuleError::new_err(message);
            let value = err.value(py);
            let attach = || -> PyResult<()> {
                let list = PyList::empty(py);
                for p in &problems {
                    list.append(problem_dict(py, p)?)?;
                }
                value.setattr("problems", list)?;
                let first = problems.first();
                value.setattr("file", first.map(|p| p.file.clone()))?;
                value.setattr("line", first.map(|p| p.line))?;
                value.setattr("col", first.map(|p| p.col))?;
                Ok(())
            };
            match attach() {
                Ok(()) => err,
                Err(e) => e,
            }
        }
        Error::UnknownLanguage(_) | Error::UnknownEncoding(_) => PyValueError::new_err(message),
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::NotADirectory => PyNotADirectoryError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        _ => PyRuntimeError::new_err(message),
    }
}

/// Runs `f`, turning a panic into an error message: a bug in the engine
/// must cost the caller one exception, never the interpreter.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        format!("internal error in dechaff (please report it): {what}")
    })
}

/// One input document, borrowed from Python (or, for a `str` with lone
/// surrogates, repaired into an owned copy).
enum Doc {
    Str(PyBackedStr),
    /// The repaired text and how many lone surrogates were replaced.
    Owned(String, usize),
    Bytes(PyBackedBytes),
}

impl Doc {
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Doc> {
        if let Ok(s) = obj.cast::<PyString>() {
            return text_of(s);
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<pyo3::types::PyByteArray>() {
            return Ok(Doc::Bytes(obj.extract::<PyBackedBytes>()?));
        }
        Err(PyTypeError::new_err(format!(
            "expected str or bytes, got {}",
            obj.get_type().name()?
        )))
    }

    fn clean(&self, engine: &dechaff::Cleaner) -> dechaff::Cleaned {
        match self {
            Doc::Str(s) => engine.clean(s),
            Doc::Owned(s, replaced) => {
                let mut cleaned = engine.clean(s);
                // The repaired surrogates count as replaced input, as
                // malformed bytes do for clean_bytes.
                cleaned.replaced_bytes = *replaced;
                cleaned
            }
            Doc::Bytes(b) => engine.clean_bytes(b),
        }
    }
}

/// A `str` as UTF-8. Python strings may hold lone surrogates (JSON's
/// `"\ud800"` decodes to one), which UTF-8 cannot carry: each becomes
/// U+FFFD, as a malformed byte does when decoding bytes.
fn text_of(s: &Bound<'_, PyString>) -> PyResult<Doc> {
    match s.extract::<PyBackedStr>() {
        Ok(backed) => Ok(Doc::Str(backed)),
        Err(_) => {
            let count = |s: &Bound<'_, PyAny>| -> PyResult<usize> {
                s.call_method1("count", ("\u{FFFD}",))?.extract()
            };
            let repaired = s
                .call_method1("encode", ("utf-16-le", "surrogatepass"))?
                .call_method1("decode", ("utf-16-le", "replace"))?;
            let replaced = count(&repaired)? - count(s.as_any())?;
            Ok(Doc::Owned(repaired.extract()?, replaced))
        }
    }
}

/// Thread pools by size, per process. A forked child (Spark's and
/// multiprocessing's workers are forks) inherits the parent's pool objects
/// but not their threads, so pools made before a fork are abandoned, never
/// used or dropped.
struct Pools {
    pid: u32,
    by_size: HashMap<usize, Arc<rayon::ThreadPool>>,
}

static POOLS: Mutex<Option<Pools>> = Mutex::new(None);

fn threads_or_default(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        Some(0) => Err(PyValueError::new_err(
            "threads 0: give 1 or more, or None for one per core",
        )),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

fn pool(threads: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    let mut guard = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|p| p.pid != pid) {
        std::mem::forget(guard.take());
    }
    let pools = guard.get_or_insert_with(|| Pools {
        pid,
        by_size: HashMap::new(),
    });
    if let Some(p) = pools.by_size.get(&threads) {
        return Ok(Arc::clone(p));
    }
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("dechaff-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("threads {threads}: {e}")))?;
    let built = Arc::new(built);
    pools.by_size.insert(threads, Arc::clone(&built));
    Ok(built)
}

/// Maps `f` over `items` on `threads` threads (on the calling thread alone
/// when 1), in order.
fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync + Send,
) -> PyResult<Vec<R>> {
    if threads == 1 || items.len() < 2 {
        return Ok(items.iter().map(f).collect());
    }
    use rayon::prelude::*;
    let pool = pool(threads)?;
    Ok(pool.install(|| items.par_iter().map(f).collect()))
}

/// A configured cleaner: build once, reuse for every document. Picklable:
/// the copy carries the options and the rule files' text, and builds its
/// engine on first use.
///
/// `Cleaner(lang=None, rules=None, min_kept=0.02, encoding=None,
/// headline=True)`: `lang` an ISO 639-3 code instead of detection, `rules` a
/// directory or a dict of file name to YAML, `min_kept` the safety net's
/// threshold, `encoding` a WHATWG label for `clean_bytes`, `headline=False`
/// drops the article's headline as the CLI's `--no-headline` does.
#[pyclass(module = "dechaff._dechaff", name = "Cleaner", frozen)]
struct Cleaner {
    config: Config,
    engine: OnceLock<dechaff::Cleaner>,
}

impl Cleaner {
    fn engine(&self, py: Python<'_>) -> PyResult<&dechaff::Cleaner> {
        if let Some(engine) = self.engine.get() {
            return Ok(engine);
        }
        let config = &self.config;
        let built = py
            .detach(|| guarded(|| build(config)))
            .map_err(PyRuntimeError::new_err)?
            .map_err(|e| to_py_err(py, e))?;
        Ok(self.engine.get_or_init(|| built))
    }

    fn clean_doc(&self, py: Python<'_>, doc: Doc) -> PyResult<PyCleaned> {
        let engine = self.engine(py)?;
        let cleaned = py
            .detach(|| guarded(|| PyCleaned::new(doc.clean(engine))))
            .map_err(PyRuntimeError::new_err)?;
        Ok(cleaned)
    }
}

#[pymethods]
impl Cleaner {
    #[new]
    #[pyo3(signature = (lang=None, rules=None, min_kept=dechaff::DEFAULT_MIN_KEPT, encoding=None, headline=true))]
    fn new(
        py: Python<'_>,
        lang: Option<String>,
        rules: Option<&Bound<'_, PyAny>>,
        min_kept: f64,
        encoding: Option<String>,
        headline: bool,
    ) -> PyResult<Self> {
        if !(0.0..=1.0).contains(&min_kept) {
            return Err(PyValueError::new_err(format!(
                "min_kept {min_kept}: give a share between 0 and 1"
            )));
        }
        let mut rule_files = Vec::new();
        if let Some(rules) = rules {
            if let Ok(map) = rules.cast::<PyDict>() {
                for (label, src) in map.iter() {
                    rule_files.push((label.extract::<String>()?, src.extract::<String>()?));
                }
            } else {
                let dir: std::path::PathBuf = rules.extract().map_err(|_| {
                    PyTypeError::new_err(
                        "rules: expected a directory path or a dict of file name to YAML text",
                    )
                })?;
                let files = read_rule_dir(&dir).map_err(|e| to_py_err(py, e))?;
                let mut problems = Vec::new();
                for (label, src) in files {
                    match src {
                        Ok(src) => rule_files.push((label, src)),
                        Err(p) => problems.push(p),
                    }
                }
                if !problems.is_empty() {
                    // Report these along with the problems of the other
                    // files, in path order, as `--rules` does.
                    let config = Config {
                        lang: None,
                        encoding: None,
                        min_kept,
                        headline,
                        rule_files: rule_files.clone(),
                    };
                    if let Err(Error::Rules(more)) = build(&config) {
                        problems.extend(more);
                    }
                    problems.sort_by(|a, b| a.file.cmp(&b.file));
                    return Err(to_py_err(py, Error::Rules(problems)));
                }
            }
        }
        let config = Config {
            lang,
            encoding,
            min_kept,
            headline,
            rule_files,
        };
        let cleaner = Cleaner {
            config,
            engine: OnceLock::new(),
        };
        // Build now, so that bad rules or a bad language fail here rather
        // than on the first page.
        cleaner.engine(py)?;
        Ok(cleaner)
    }

    /// Rebuilds a cleaner from `__reduce__`'s state without building the
    /// engine: a worker pays for that on its first page.
    #[staticmethod]
    fn _from_state(state: State) -> Self {
        let (lang, encoding, min_kept, headline, rule_files) = state;
        Cleaner {
            config: Config {
                lang,
                encoding,
                min_kept,
                headline,
                rule_files,
            },
            engine: OnceLock::new(),
        }
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Py<PyAny>)> {
        let restore = py.import("dechaff")?.getattr("_restore_cleaner")?;
        let c = &self.config;
        let state = (
            c.lang.clone(),
            c.encoding.clone(),
            c.min_kept,
            c.headline,
            c.rule_files.clone(),
        );
        Ok((restore, (state,).into_pyobject(py)?.into_any().unbind()))
    }

    /// The language given, or None when it is detected per page.
    #[getter]
    fn lang(&self) -> Option<&str> {
        self.config.lang.as_deref()
    }

    /// The encoding given for `clean_bytes`, or None when it is detected.
    #[getter]
    fn encoding(&self) -> Option<&str> {
        self.config.encoding.as_deref()
    }

    /// The safety net's threshold.
    #[getter]
    fn min_kept(&self) -> f64 {
        self.config.min_kept
    }

    /// Whether the article's headline is kept (false: `--no-headline`).
    #[getter]
    fn headline(&self) -> bool {
        self.config.headline
    }

    /// The rule files added to the built-in ones: {label: YAML text}.
    #[getter]
    fn rule_files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (label, src) in &self.config.rule_files {
            d.set_item(label, src)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = &self.config;
        let opt = |v: &Option<String>| v.as_ref().map_or("None".to_owned(), |s| format!("{s:?}"));
        format!(
            "Cleaner(lang={}, encoding={}, min_kept={}, headline={}, rule_files={})",
            opt(&c.lang),
            opt(&c.encoding),
            c.min_kept,
            if c.headline { "True" } else { "False" },
            c.rule_files.len()
        )
    }

    /// Cleans text that is already decoded.
    fn clean(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<PyCleaned> {
        let doc = text_of(text)?;
        self.clean_doc(py, doc)
    }

    /// Decodes bytes (BOM, UTF-8 or a guessed legacy encoding, unless the
    /// cleaner was given one), then cleans the text.
    fn clean_bytes(&self, py: Python<'_>, data: PyBackedBytes) -> PyResult<PyCleaned> {
        self.clean_doc(py, Doc::Bytes(data))
    }

    /// Cleans many documents (str or bytes) in parallel with the GIL
    /// released; results come back in input order.
    #[pyo3(signature = (texts, threads=None))]
    fn clean_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Vec<PyCleaned>> {
        let threads = threads_or_default(threads)?;
        let mut docs = Vec::new();
        for (i, item) in texts.try_iter()?.enumerate() {
            let item = item?;
            let doc = Doc::from_py(&item)
                .map_err(|e| PyTypeError::new_err(format!("texts[{i}]: {}", e.value(py))))?;
            docs.push(doc);
        }
        let engine = self.engine(py)?;
        let results = py.detach(|| {
            par_map(&docs, threads, |d| {
                guarded(|| PyCleaned::new(d.clean(engine)))
            })
        })?;
        results
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.map_err(|e| PyRuntimeError::new_err(format!("texts[{i}]: {e}"))))
            .collect()
    }

    /// Arrow in, Arrow out: cleans a string or binary column of a
    /// RecordBatch (or a bare Array) through the Arrow C data interface.
    #[pyo3(signature = (data, column="text", *, removals=false, prefix="", threads=None))]
    fn clean_arrow<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        column: &str,
        removals: bool,
        prefix: &str,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let threads = threads_or_default(threads)?;
        if !data.hasattr("__arrow_c_array__")? {
            return Err(PyTypeError::new_err(format!(
                "expected a pyarrow RecordBatch or Array (an object with __arrow_c_array__), \
                 got {}; for a Table, clean each of table.to_batches()",
                data.get_type().name()?
            )));
        }
        let input = make_array(ArrayData::from_pyarrow_bound(data)?);
        let engine = self.engine(py)?;
        let batch = py
            .detach(|| {
                guarded(|| clean_arrow_batch(engine, input, column, removals, prefix, threads))
            })
            .map_err(PyRuntimeError::new_err)??;
        batch.to_pyarrow(py)
    }
}

/// Why a column cannot be cleaned, as the Python exception to raise.
enum ArrowProblem {
    Type(String),
    Value(String),
}

impl From<ArrowProblem> for PyErr {
    fn from(p: ArrowProblem) -> PyErr {
        match p {
            ArrowProblem::Type(m) => PyTypeError::new_err(m),
            ArrowProblem::Value(m) => PyValueError::new_err(m),
        }
    }
}

/// One row's input, borrowed from the Arrow buffers.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Null,
    Str(&'a str),
    Bytes(&'a [u8]),
}

fn cells<'a>(array: &'a dyn Array, column: &str) -> Result<Vec<Cell<'a>>, ArrowProblem> {
    fn collect<'a, T>(
        n: usize,
        is_null: impl Fn(usize) -> bool,
        value: impl Fn(usize) -> T,
        wrap: impl Fn(T) -> Cell<'a>,
    ) -> Vec<Cell<'a>> {
        (0..n)
            .map(|i| {
                if is_null(i) {
                    Cell::Null
                } else {
                    wrap(value(i))
                }
            })
            .collect()
    }
    let n = array.len();
    let null = |i| array.is_null(i);
    Ok(match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            collect(n, null, |i| a.value(i), Cell::Str)
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            collect(n, null, |i| a.value(i), Cell::Str)
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            collect(n, null, |i| a.value(i), Cell::Str)
        }
        DataType::Binary => {
            let a = array.as_binary::<i32>();
            collect(n, null, |i| a.value(i), Cell::Bytes)
        }
        DataType::LargeBinary => {
            let a = array.as_binary::<i64>();
            collect(n, null, |i| a.value(i), Cell::Bytes)
        }
        DataType::BinaryView => {
            let a = array.as_binary_view();
            collect(n, null, |i| a.value(i), Cell::Bytes)
        }
        other => {
            return Err(ArrowProblem::Type(format!(
                "column \"{column}\" is {other}: expected a string or binary column"
            )))
        }
    })
}

/// The cleaned text as a column of the input's kind: strings stay strings
/// of the same width, binary becomes the matching string type.
fn text_column(
    input: &DataType,
    texts: &[Option<&str>],
    column: &str,
) -> Result<ArrayRef, ArrowProblem> {
    let total: usize = texts.iter().flatten().map(|t| t.len()).sum();
    Ok(match input {
        DataType::Utf8 | DataType::Binary => {
            if i32::try_from(total).is_err() {
                return Err(ArrowProblem::Value(format!(
                    "column \"{column}\": the cleaned text of this batch is {total} bytes, \
                     over the 2 GiB of a string column; pass smaller batches or a large_string column"
                )));
            }
            let mut b = StringBuilder::with_capacity(texts.len(), total);
            texts.iter().for_each(|t| b.append_option(*t));
            Arc::new(b.finish())
        }
        DataType::LargeUtf8 | DataType::LargeBinary => {
            let mut b = LargeStringBuilder::with_capacity(texts.len(), total);
            texts.iter().for_each(|t| b.append_option(*t));
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringViewBuilder::with_capacity(texts.len());
            texts.iter().for_each(|t| b.append_option(*t));
            Arc::new(b.finish())
        }
    })
}

fn removal_fields() -> Fields {
    Fields::from(vec![
        Field::new("line", DataType::Int64, false),
        Field::new("action", DataType::Utf8, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
    ])
}

/// The removals as `list<struct<line, action, rule, text>>`, null where the
/// text was null.
fn removals_column(results: &[Option<PyCleaned>]) -> Result<ArrayRef, ArrowProblem> {
    let mut line = Int64Builder::new();
    let mut action = StringBuilder::new();
    let mut rule = StringBuilder::new();
    let mut text = StringBuilder::new();
    let mut lengths = Vec::with_capacity(results.len());
    let mut valid = Vec::with_capacity(results.len());
    let mut text_bytes = 0usize;
    for r in results {
        let none = dechaff::Removals::default();
        let removed = r.as_ref().map_or(&none, |c| &c.inner.removed);
        for m in removed {
            line.append_value(i64::try_from(m.line).unwrap_or(i64::MAX));
            action.append_value(m.action.name());
            rule.append_value(m.rule);
            text_bytes += m.text.len();
            if i32::try_from(text_bytes).is_err() {
                return Err(ArrowProblem::Value(
                    "the removals of this batch are over 2 GiB of text: pass smaller batches"
                        .into(),
                ));
            }
            text.append_value(m.text);
        }
        lengths.push(removed.len());
        valid.push(r.is_some());
    }
    let fields = removal_fields();
    let values = StructArray::try_new(
        fields.clone(),
        vec![
            Arc::new(line.finish()),
            Arc::new(action.finish()),
            Arc::new(rule.finish()),
            Arc::new(text.finish()),
        ],
        None,
    )
    .map_err(|e| ArrowProblem::Value(e.to_string()))?;
    let item = Arc::new(Field::new("item", DataType::Struct(fields), false));
    let list = ListArray::try_new(
        item,
        OffsetBuffer::from_lengths(lengths),
        Arc::new(values),
        Some(NullBuffer::from(valid)),
    )
    .map_err(|e| ArrowProblem::Value(e.to_string()))?;
    Ok(Arc::new(list))
}

fn clean_arrow_batch(
    engine: &dechaff::Cleaner,
    input: ArrayRef,
    column: &str,
    removals: bool,
    prefix: &str,
    threads: usize,
) -> PyResult<RecordBatch> {
    let (mut fields, mut columns, index) = match input.data_type() {
        DataType::Struct(_) => {
            let (fields, columns, nulls) = input.as_struct().clone().into_parts();
            if nulls.is_some_and(|n| n.null_count() > 0) {
                return Err(PyValueError::new_err(
                    "a struct array with null rows is not a batch: pass a RecordBatch",
                ));
            }
            let Some(index) = fields.iter().position(|f| f.name() == column) else {
                let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
                return Err(PyValueError::new_err(format!(
                    "no column \"{column}\" in the batch (columns: {})",
                    names.join(", ")
                )));
            };
            (
                fields
                    .iter()
                    .map(|f| f.as_ref().clone())
                    .collect::<Vec<_>>(),
                columns,
                index,
            )
        }
        other => (
            vec![Field::new(column, other.clone(), true)],
            vec![Arc::clone(&input)],
            0,
        ),
    };
    let mut added = vec![
        Field::new(format!("{prefix}lang"), DataType::Utf8, true),
        Field::new(format!("{prefix}script"), DataType::Utf8, true),
        Field::new(format!("{prefix}removed_chars"), DataType::Int64, true),
    ];
    if removals {
        let item = Field::new("item", DataType::Struct(removal_fields()), false);
        added.push(Field::new(
            format!("{prefix}removed"),
            DataType::List(Arc::new(item)),
            true,
        ));
    }
    for f in &added {
        if fields.iter().any(|g| g.name() == f.name()) {
            return Err(PyValueError::new_err(format!(
                "column \"{}\" is already in the batch: pass a prefix, such as prefix=\"dechaff_\"",
                f.name()
            )));
        }
    }

    let text = Arc::clone(&columns[index]);
    let rows = cells(text.as_ref(), column)?;
    let results: Vec<Option<PyCleaned>> = par_map(&rows, threads, |cell| match *cell {
        Cell::Null => None,
        Cell::Str(s) => Some(PyCleaned::new(engine.clean(s))),
        Cell::Bytes(b) => Some(PyCleaned::new(engine.clean_bytes(b))),
    })?;

    let texts: Vec<Option<&str>> = results
        .iter()
        .map(|r| r.as_ref().map(|c| c.inner.text.as_str()))
        .collect();
    let cleaned = text_column(text.data_type(), &texts, column)?;
    fields[index] = Field::new(column, cleaned.data_type().clone(), true)
        .with_metadata(fields[index].metadata().clone());
    columns[index] = cleaned;

    let mut lang = StringBuilder::new();
    let mut script = StringBuilder::new();
    let mut removed_chars = Int64Builder::with_capacity(results.len());
    for r in &results {
        lang.append_option(r.as_ref().map(|c| c.inner.lang.as_str()));
        script.append_option(r.as_ref().and_then(|c| c.inner.script.as_deref()));
        removed_chars.append_option(
            r.as_ref()
                .map(|c| i64::try_from(c.removed_chars).unwrap_or(i64::MAX)),
        );
    }
    columns.push(Arc::new(lang.finish()));
    columns.push(Arc::new(script.finish()));
    columns.push(Arc::new(removed_chars.finish()));
    if removals {
        columns.push(removals_column(&results)?);
    }
    fields.extend(added);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// One removed line or inline span.
#[pyclass(module = "dechaff._dechaff", name = "Removal", frozen, get_all)]
struct PyRemoval {
    /// 1-based line number in the input (after line-ending normalisation).
    line: usize,
    /// What removed it: `drop_lines`, `cut_after`, `remove_inline` or `judge`.
    action: String,
    /// The qualified rule id, such as `eng/share-buttons` or `score/outside-body`.
    rule: String,
    /// The removed text: the whole line, or the span for inline removals.
    text: String,
}

#[pymethods]
impl PyRemoval {
    fn __repr__(&self) -> String {
        format!(
            "Removal(line={}, action={:?}, rule={:?}, text={:?})",
            self.line, self.action, self.rule, self.text
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyRemoval>().is_ok_and(|o| {
            let o = o.get();
            (o.line, &o.action, &o.rule, &o.text)
                == (self.line, &self.action, &self.rule, &self.text)
        })
    }

    /// The removal as a dict with the keys of the CLI's JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("line", self.line)?;
        d.set_item("action", &self.action)?;
        d.set_item("rule", &self.rule)?;
        d.set_item("text", &self.text)?;
        Ok(d)
    }
}

/// A rule that failed on this page and was skipped for the rest of it.
#[pyclass(module = "dechaff._dechaff", name = "RuleWarning", frozen, get_all)]
struct PyRuleWarning {
    /// The line where the rule failed.
    line: usize,
    /// The qualified rule id.
    rule: String,
    /// What happened.
    message: String,
}

#[pymethods]
impl PyRuleWarning {
    fn __repr__(&self) -> String {
        format!(
            "RuleWarning(line={}, rule={:?}, message={:?})",
            self.line, self.rule, self.message
        )
    }
}

/// Why the safety net kept a page whole.
#[pyclass(module = "dechaff._dechaff", name = "SafetyNet", frozen, get_all)]
struct PySafetyNet {
    /// The share of the page's characters that cleaning would have kept.
    kept_share: f64,
    /// The cleaner's `min_kept` at the time.
    threshold: f64,
    /// The rule that would have removed the most characters.
    top_rule: String,
    /// The share of the page's characters that rule would have removed.
    top_rule_share: f64,
}

#[pymethods]
impl PySafetyNet {
    fn __repr__(&self) -> String {
        format!(
            "SafetyNet(kept_share={}, threshold={}, top_rule={:?}, top_rule_share={})",
            self.kept_share, self.threshold, self.top_rule, self.top_rule_share
        )
    }
}

/// The result of cleaning one document. Fields are read from the Rust result
/// when asked for, so a batch creates one Python object per document.
#[pyclass(module = "dechaff._dechaff", name = "Cleaned", frozen)]
struct PyCleaned {
    inner: dechaff::Cleaned,
    removed_chars: usize,
}

impl PyCleaned {
    fn new(inner: dechaff::Cleaned) -> Self {
        let removed_chars = inner.removed_chars();
        PyCleaned {
            inner,
            removed_chars,
        }
    }

    fn removal(r: dechaff::Removal<'_>) -> PyRemoval {
        PyRemoval {
            line: r.line,
            action: r.action.name().to_owned(),
            rule: r.rule.to_owned(),
            text: r.text.to_owned(),
        }
    }
}

#[pymethods]
impl PyCleaned {
    /// The clean body: kept blocks, one blank line between, trailing newline.
    #[getter]
    fn text(&self) -> &str {
        &self.inner.text
    }

    /// The rule set used: a language code, or `common`.
    #[getter]
    fn lang(&self) -> &str {
        &self.inner.lang
    }

    /// The language detected (ISO 639-3), even without a rule set.
    #[getter]
    fn detected_lang(&self) -> Option<&str> {
        self.inner.detected_lang.as_deref()
    }

    /// ISO 15924 script: `Latn`, `Hans`, `Cyrl`, ...
    #[getter]
    fn script(&self) -> Option<&str> {
        self.inner.script.as_deref()
    }

    /// The language detector's confidence, 0 to 1 (1 when `lang` was given).
    #[getter]
    fn lang_confidence(&self) -> f64 {
        self.inner.lang_confidence
    }

    /// The encoding the input was decoded from (`UTF-8` for `str` input).
    #[getter]
    fn encoding(&self) -> &str {
        &self.inner.encoding
    }

    /// Malformed input replaced by U+FFFD.
    #[getter]
    fn replaced_bytes(&self) -> usize {
        self.inner.replaced_bytes
    }

    /// Characters in the normalised input, line breaks excluded.
    #[getter]
    fn input_chars(&self) -> usize {
        self.inner.input_chars
    }

    /// Input characters not in `text` (line breaks excluded).
    #[getter]
    fn removed_chars(&self) -> usize {
        self.removed_chars
    }

    /// Every removed line and inline span, in line order.
    #[getter]
    fn removed(&self) -> Vec<PyRemoval> {
        self.inner.removed.iter().map(PyCleaned::removal).collect()
    }

    /// Rules that failed on this page and were skipped.
    #[getter]
    fn warnings(&self) -> Vec<PyRuleWarning> {
        self.inner
            .warnings
            .iter()
            .map(|w| PyRuleWarning {
                line: w.line,
                rule: w.rule.clone(),
                message: w.message.clone(),
            })
            .collect()
    }

    /// Set when the page was kept whole because cleaning would have removed
    /// nearly everything.
    #[getter]
    fn safety_net(&self) -> Option<PySafetyNet> {
        self.inner.safety_net.as_ref().map(|n| PySafetyNet {
            kept_share: n.kept_share,
            threshold: n.threshold,
            top_rule: n.top_rule.clone(),
            top_rule_share: n.top_rule_share,
        })
    }

    /// Everything as plain Python values, with the keys of the CLI's
    /// `--format json` (plus `removed_chars`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.inner;
        let d = PyDict::new(py);
        d.set_item("text", &c.text)?;
        d.set_item("lang", &c.lang)?;
        d.set_item("detected_lang", &c.detected_lang)?;
        d.set_item("script", &c.script)?;
        d.set_item("lang_confidence", c.lang_confidence)?;
        d.set_item("encoding", &c.encoding)?;
        d.set_item("replaced_bytes", c.replaced_bytes)?;
        let removed = PyList::empty(py);
        for r in &c.removed {
            removed.append(PyCleaned::removal(r).to_dict(py)?)?;
        }
        d.set_item("removed", removed)?;
        d.set_item("input_chars", c.input_chars)?;
        d.set_item("removed_chars", self.removed_chars)?;
        let warnings = PyList::empty(py);
        for w in &c.warnings {
            let wd = PyDict::new(py);
            wd.set_item("line", w.line)?;
            wd.set_item("rule", &w.rule)?;
            wd.set_item("message", &w.message)?;
            warnings.append(wd)?;
        }
        d.set_item("warnings", warnings)?;
        match &c.safety_net {
            Some(n) => {
                let nd = PyDict::new(py);
                nd.set_item("kept_share", n.kept_share)?;
                nd.set_item("threshold", n.threshold)?;
                nd.set_item("top_rule", &n.top_rule)?;
                nd.set_item("top_rule_share", n.top_rule_share)?;
                d.set_item("safety_net", nd)?;
            }
            None => d.set_item("safety_net", py.None())?,
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "Cleaned(lang={:?}, script={}, input_chars={}, removed_chars={}, removed={} spans)",
            c.lang,
            c.script
                .as_ref()
                .map_or("None".to_owned(), |s| format!("{s:?}")),
            c.input_chars,
            self.removed_chars,
            c.removed.len()
        )
    }
}

/// Panics on purpose, through the same guard as the cleaning calls, so the
/// tests can check that a panic in Rust arrives as a RuntimeError.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    py.detach(|| guarded::<()>(|| panic!("deliberate test panic")))
        .map_err(PyRuntimeError::new_err)
}

#[pymodule]
fn _dechaff(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Cleaner>()?;
    m.add_class::<PyCleaned>()?;
    m.add_class::<PyRemoval>()?;
    m.add_class::<PyRuleWarning>()?;
    m.add_class::<PySafetyNet>()?;
    m.add("RuleError", m.py().get_type::<RuleError>())?;
    m.add("DEFAULT_MIN_KEPT", dechaff::DEFAULT_MIN_KEPT)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    Ok(())
}
