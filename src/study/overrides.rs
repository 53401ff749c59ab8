//! Overrides of scenario keys by dotted path: the one place that turns a
//! `--set key=spec` (and a `[sweep.set]` entry, and a `--variant`) into
//! values put into the scenario's TOML tree before the ordinary
//! [`Scenario::from_toml`] validation, so every point of a study is an
//! ordinary validated scenario and a bad key or value is named before
//! anything runs.
//!
//! Value specs: `a:b:n` is `n` values from `a` to `b` (evenly spaced, or
//! geometrically with `log`), `x,y,z` a list, `x` one value. Numbers that
//! look like integers stay integers; range steps are rounded to 12
//! significant digits, so `0.01:0.10:10` gives `0.03`, not
//! `0.030000000000000002`.

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use std::path::Path;
use toml::{Table, Value};

/// Most values one axis may have.
pub const MAX_AXIS_VALUES: usize = 10_000;

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted path (`content.stickiness`).
    pub key: String,
    /// Its values, in order.
    pub values: Vec<Value>,
    /// Whether the values were spaced geometrically (charts use a log axis).
    pub log: bool,
}

/// A value as written in CSV, JSON and folder names: numbers in shortest
/// form, strings bare.
pub fn value_label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The value as a number, if it is one.
pub fn value_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Checks a dotted key: segments of letters, digits, `_` or `-`, not
/// naming `name` or `sweep` (a study keeps the scenario's name).
///
/// # Errors
/// [`Error::Parameter`] naming `flag` and the key.
pub fn check_key(flag: &str, key: &str) -> Result<()> {
    let ok_seg = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if !key.split('.').all(ok_seg) {
        return Err(Error::param(
            flag,
            format!(
                "key {key:?} is not a dotted scenario key; allowed: names of letters, digits, '_' or '-' joined by '.', e.g. content.stickiness"
            ),
        ));
    }
    let first = key.split('.').next().unwrap_or_default();
    if first == "sweep" || key == "name" {
        return Err(Error::param(
            flag,
            format!(
                "key {key:?} cannot be set by a study; allowed: any scenario key but name and [sweep]"
            ),
        ));
    }
    Ok(())
}

/// One item of a list: integer, float, true/false, or a string (quotes
/// optional).
fn scalar(item: &str) -> Value {
    let t = item.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::Integer(i);
    }
    if t.chars().any(|c| c.is_ascii_digit()) {
        if let Ok(f) = t.parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    match t {
        "true" => Value::Boolean(true),
        "false" => Value::Boolean(false),
        _ => Value::String(t.trim_matches('"').trim_matches('\'').to_string()),
    }
}

/// `x` rounded to 12 significant digits (exact decimals stay exact).
fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The values of a spec (`a:b:n`, `x,y,z` or `x`) for `key`.
///
/// # Errors
/// [`Error::Parameter`] naming `flag`, the key and the spec.
pub fn parse_spec(flag: &str, key: &str, spec: &str, log: bool) -> Result<Vec<Value>> {
    let bad = |why: String| Error::param(flag, format!("{key}={spec}: {why}"));
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(bad(
            "no value; allowed: a:b:n (a range), x,y,z (a list) or x".into(),
        ));
    }
    if spec.contains(':') {
        let parts: Vec<&str> = spec.split(':').map(str::trim).collect();
        if parts.len() != 3 {
            return Err(bad("a range is start:stop:count (e.g. 0.01:0.10:10)".into()));
        }
        let num = |s: &str, what: &str| -> Result<f64> {
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(format!("{what} {s:?} is not a number")))
        };
        let (a, b) = (num(parts[0], "start")?, num(parts[1], "stop")?);
        let n: usize = parts[2]
            .parse()
            .ok()
            .filter(|&n| (2..=MAX_AXIS_VALUES).contains(&n))
            .ok_or_else(|| {
                bad(format!(
                    "count {:?} is not allowed; allowed: a whole number from 2 to {MAX_AXIS_VALUES}",
                    parts[2]
                ))
            })?;
        if log && !(a > 0.0 && b > 0.0) {
            return Err(bad("a log range needs start > 0 and stop > 0".into()));
        }
        let ints = !log
            && parts[0].parse::<i64>().is_ok()
            && parts[1].parse::<i64>().is_ok()
            && ((b - a) as i64) % (n as i64 - 1) == 0;
        let steps = (n - 1) as f64;
        let values = (0..n)
            .map(|i| {
                let f = i as f64 / steps;
                if ints {
                    Value::Integer(a as i64 + i as i64 * ((b - a) as i64 / (n as i64 - 1)))
                } else if log {
                    Value::Float(round12((a.ln() + f * (b.ln() - a.ln())).exp()))
                } else if i + 1 == n {
                    Value::Float(round12(b))
                } else {
                    Value::Float(round12(a + i as f64 * (b - a) / steps))
                }
            })
            .collect();
        return Ok(values);
    }
    let values: Vec<Value> = spec.split(',').map(scalar).collect();
    if values.len() > MAX_AXIS_VALUES {
        return Err(bad(format!("more than {MAX_AXIS_VALUES} values")));
    }
    if values
        .iter()
        .any(|v| matches!(v, Value::String(s) if s.is_empty()))
    {
        return Err(bad("an empty item in the list".into()));
    }
    Ok(values)
}

/// Parses `key=spec` into an axis.
///
/// # Errors
/// [`Error::Parameter`] naming `flag` when there is no `=`, the key is not
/// a dotted key or the spec is malformed.
pub fn parse_set(flag: &str, arg: &str, log: bool) -> Result<Axis> {
    let (key, spec) = arg.split_once('=').ok_or_else(|| {
        Error::param(
            flag,
            format!("{arg:?} has no '='; allowed: KEY=SPEC, e.g. content.stickiness=0.01:0.10:10"),
        )
    })?;
    let key = key.trim();
    check_key(flag, key)?;
    Ok(Axis {
        key: key.to_string(),
        values: parse_spec(flag, key, spec, log)?,
        log,
    })
}

/// A TOML value of a `[sweep.set]` entry as values: a spec string, an
/// array of values, or one value.
fn table_values(key: &str, v: &Value, log: bool) -> Result<Vec<Value>> {
    let flag = "[sweep.set]";
    match v {
        Value::String(s) if s.contains(':') || s.contains(',') => parse_spec(flag, key, s, log),
        Value::Array(items) if !items.is_empty() => {
            if items
                .iter()
                .any(|i| matches!(i, Value::Array(_) | Value::Table(_)))
            {
                return Err(Error::param(
                    flag,
                    format!("{key}: list items must be numbers, strings or true/false"),
                ));
            }
            Ok(items.clone())
        }
        Value::Array(_) => Err(Error::param(flag, format!("{key} = []: no values"))),
        Value::Table(_) => unreachable!("flattened"),
        other => Ok(vec![other.clone()]),
    }
}

/// Flattens a nested table into (dotted key, leaf) pairs, in key order.
fn flatten(prefix: &str, t: &Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(inner) => flatten(&key, inner, out),
            other => out.push((key, other.clone())),
        }
    }
}

/// What a scenario file's `[sweep]` table asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepTable {
    /// The axes of `[sweep.set]`, in key order.
    pub axes: Vec<Axis>,
    /// `metrics = [..]`: the metrics charted (None: the default ones).
    pub metrics: Option<Vec<String>>,
}

/// Reads the `[sweep]` table of a scenario (keys `set`, `log`, `metrics`).
///
/// # Errors
/// [`Error::Scenario`] naming the key of the table at fault.
pub fn sweep_table(file: &str, root: &Table) -> Result<Option<SweepTable>> {
    let Some(v) = root.get("sweep") else {
        return Ok(None);
    };
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let Value::Table(t) = v else {
        return Err(bad("sweep must be a table ([sweep])".into()));
    };
    for k in t.keys() {
        if !["set", "log", "metrics"].contains(&k.as_str()) {
            return Err(bad(format!(
                "sweep.{k} is not known; allowed: sweep.set (a table of KEY = SPEC), sweep.log, sweep.metrics"
            )));
        }
    }
    let log = match t.get("log") {
        None => false,
        Some(Value::Boolean(b)) => *b,
        Some(other) => return Err(bad(format!("sweep.log = {other} is not true or false"))),
    };
    let metrics = match t.get("metrics") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(bad(format!("sweep.metrics: {other} is not a metric name"))),
                })
                .collect::<Result<Vec<_>>>()?,
        ),
        Some(other) => {
            return Err(bad(format!(
                "sweep.metrics = {other} is not a list of names"
            )));
        }
    };
    let mut leaves = Vec::new();
    match t.get("set") {
        Some(Value::Table(set)) => flatten("", set, &mut leaves),
        Some(other) => return Err(bad(format!("sweep.set = {other} is not a table"))),
        None => {}
    }
    let mut axes = Vec::new();
    for (key, v) in leaves {
        check_key("[sweep.set]", &key).map_err(|e| bad(e.to_string()))?;
        let values = table_values(&key, &v, log).map_err(|e| bad(e.to_string()))?;
        axes.push(Axis { key, values, log });
    }
    Ok(Some(SweepTable { axes, metrics }))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// Puts `value` at the dotted `key` of `root` (creating tables on the way;
/// a number segment indexes a list, as in `seeding.plans.0.count`).
///
/// # Errors
/// [`Error::Parameter`] naming `flag` when the path goes through a value
/// that is not a table (or a list, for an index).
pub fn set_path(flag: &str, root: &mut Table, key: &str, value: Value) -> Result<()> {
    let segs: Vec<&str> = key.split('.').collect();
    let mut table = root;
    let mut walked = String::new();
    let mut i = 0;
    loop {
        let seg = segs[i];
        let last = i + 1 == segs.len();
        if last {
            table.insert(seg.to_string(), value);
            return Ok(());
        }
        walked = if walked.is_empty() {
            seg.to_string()
        } else {
            format!("{walked}.{seg}")
        };
        let entry = table
            .entry(seg.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        // A list is indexed by the next segment.
        let next: &mut Value = if let Value::Array(items) = entry {
            let idx_seg = segs[i + 1];
            let len = items.len();
            let idx: usize = idx_seg.parse().ok().filter(|&k| k < len).ok_or_else(|| {
                Error::param(
                    flag,
                    format!(
                        "{key}: {walked} is a list of {len}; {idx_seg:?} is not an index 0 to {}",
                        len.saturating_sub(1)
                    ),
                )
            })?;
            i += 1;
            walked = format!("{walked}.{idx}");
            if i + 1 == segs.len() {
                items[idx] = value;
                return Ok(());
            }
            &mut items[idx]
        } else {
            entry
        };
        match next {
            Value::Table(t) => table = t,
            other => {
                return Err(Error::param(
                    flag,
                    format!(
                        "{key}: {walked} is {} in the scenario, not a table",
                        kind_of(other)
                    ),
                ));
            }
        }
        i += 1;
    }
}

/// A scenario file read as a TOML tree, with what is needed to validate
/// variants of it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The tree as read.
    pub root: Table,
    /// The file, for messages.
    pub file: String,
    /// Its folder (relative paths resolve against it).
    pub base: std::path::PathBuf,
    /// Its stem (the default name).
    pub stem: String,
    /// The file's text as read.
    pub text: String,
}

impl Source {
    /// Reads a scenario file's tree (it is validated by
    /// [`Source::scenario`]).
    ///
    /// # Errors
    /// [`Error::Read`] or [`Error::Scenario`] for malformed TOML.
    pub fn read(path: &Path) -> Result<Source> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file = path.display().to_string();
        let root: Table = text.parse().map_err(|e: toml::de::Error| Error::Scenario {
            file: file.clone(),
            msg: e.to_string().trim().replace('\n', " "),
        })?;
        Ok(Source {
            root,
            text,
            file,
            base: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            stem: path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string(),
        })
    }

    /// The tree with `overrides` applied, `[sweep]` removed and `name` set
    /// (the file's stem when it has none), as TOML text.
    ///
    /// # Errors
    /// As [`set_path`].
    pub fn text_with(&self, flag: &str, overrides: &[(String, Value)]) -> Result<String> {
        let mut root = self.root.clone();
        root.remove("sweep");
        if !root.contains_key("name") {
            root.insert("name".into(), Value::String(self.stem.clone()));
        }
        for (k, v) in overrides {
            if k == "trials" {
                // A number of trials replaces a precision target.
                root.remove("precision");
                root.remove("max_trials");
            }
            set_path(flag, &mut root, k, v.clone())?;
        }
        Ok(toml::to_string(&root).expect("a TOML table serialises"))
    }

    /// The validated scenario with `overrides` applied, and its text; a
    /// message names the overrides.
    ///
    /// # Errors
    /// As [`Source::text_with`] and [`Scenario::from_toml`].
    pub fn scenario(
        &self,
        flag: &str,
        overrides: &[(String, Value)],
    ) -> Result<(Scenario, String)> {
        let text = self.text_with(flag, overrides)?;
        let shown: Vec<String> = overrides
            .iter()
            .filter(|(k, _)| k != "trials" && k != "seed")
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let label = if shown.is_empty() {
            self.file.clone()
        } else {
            format!("{} with {}", self.file, shown.join(", "))
        };
        let s = Scenario::from_toml(&text, &label, &self.base, &self.stem)?;
        Ok((s, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[Value]) -> Vec<String> {
        v.iter().map(value_label).collect()
    }

    #[test]
    fn linear_ranges_are_exact_decimals() {
        let v = parse_spec("--set", "k", "0.01:0.10:10", false).unwrap();
        assert_eq!(
            labels(&v),
            [
                "0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.1"
            ]
        );
        let v = parse_spec("--set", "k", "1:10:4", false).unwrap();
        assert_eq!(v, [1, 4, 7, 10].map(Value::Integer));
        // Not a whole step: floats.
        let v = parse_spec("--set", "k", "1:2:3", false).unwrap();
        assert_eq!(labels(&v), ["1", "1.5", "2"]);
    }

    #[test]
    fn log_ranges_are_geometric() {
        let v = parse_spec("--set", "k", "0.001:1:4", true).unwrap();
        assert_eq!(labels(&v), ["0.001", "0.01", "0.1", "1"]);
        assert!(parse_spec("--set", "k", "0:1:4", true).is_err());
    }

    #[test]
    fn lists_hold_numbers_strings_and_booleans() {
        let v = parse_spec("--set", "k", "0, 1.5,random,true", false).unwrap();
        assert_eq!(
            v,
            [
                Value::Integer(0),
                Value::Float(1.5),
                Value::String("random".into()),
                Value::Boolean(true)
            ]
        );
    }

    #[test]
    fn bad_specs_and_keys_are_named() {
        for (arg, needle) in [
            ("content.stickiness", "no '='"),
            ("content..x=1", "dotted"),
            ("content.stickiness=0.1:0.2", "start:stop:count"),
            ("content.stickiness=0.1:x:3", "stop \"x\""),
            ("content.stickiness=0.1:0.2:1", "count \"1\""),
            ("name=x", "cannot be set"),
            ("sweep.set.x=1", "cannot be set"),
        ] {
            let e = parse_set("--set", arg, false).unwrap_err().to_string();
            assert!(e.contains("--set") && e.contains(needle), "{arg}: {e}");
        }
    }

    #[test]
    fn paths_create_tables_and_index_lists() {
        let mut t: Table = "[content]\nstickiness = 0.1\n[seeding]\nplans = [{strategy = \"random\", count = 1}]\n"
            .parse()
            .unwrap();
        set_path(
            "--set",
            &mut t,
            "content.resonance.young",
            Value::Float(2.0),
        )
        .unwrap();
        set_path("--set", &mut t, "seeding.plans.0.count", Value::Integer(5)).unwrap();
        assert_eq!(t["content"]["resonance"]["young"].as_float(), Some(2.0));
        assert_eq!(t["seeding"]["plans"][0]["count"].as_integer(), Some(5));
        let e = set_path("--set", &mut t, "content.stickiness.x", Value::Integer(1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("content.stickiness is a number"), "{e}");
        let e = set_path("--set", &mut t, "seeding.plans.3.count", Value::Integer(1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("list of 1"), "{e}");
    }
}
