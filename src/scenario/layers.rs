//! `[[audience.layers]]`: parsed by hand from the TOML tables so that every
//! message names the layer, the key, the value found and what is allowed.
//! The layers' meaning is documented in [`crate::graph::layers`] and
//! `scenarios/README.md`.

use crate::graph::audience::{Segment, TieKind};
use crate::graph::layers::{DEFAULT_HOUSEHOLD_SIZES, Layer, LayerKind};
use crate::graph::trust::TrustDist;
use toml::{Table, Value};

type Res<T> = std::result::Result<T, String>;

/// The tie kind a layer type gives its ties unless `tie_kind` says otherwise.
fn default_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "household" => Some("family"),
        "workplace" => Some("colleague"),
        "friends" => Some("friend"),
        "community" => Some("acquaintance"),
        _ => None,
    }
}

const KINDS: &str = "household, workplace, friends, community, erdos_renyi, barabasi_albert, watts_strogatz, powerlaw_cluster";

struct Keys<'a> {
    t: &'a Table,
    at: String,
    used: Vec<&'static str>,
}

impl<'a> Keys<'a> {
    fn num(&mut self, key: &'static str) -> Res<Option<f64>> {
        self.used.push(key);
        match self.t.get(key) {
            None => Ok(None),
            Some(Value::Float(x)) => Ok(Some(*x)),
            Some(Value::Integer(i)) => Ok(Some(*i as f64)),
            Some(other) => Err(format!("{}.{key} = {other} is not a number", self.at)),
        }
    }

    fn range(&mut self, key: &'static str, dflt: f64, lo: f64, hi: f64, what: &str) -> Res<f64> {
        let x = self.num(key)?.unwrap_or(dflt);
        if x.is_finite() && x >= lo && x <= hi {
            Ok(x)
        } else {
            Err(format!(
                "{}.{key} = {x} is out of range; allowed: {what}",
                self.at
            ))
        }
    }

    fn int(&mut self, key: &'static str, dflt: Option<u64>, lo: u64, hi: u64) -> Res<u64> {
        self.used.push(key);
        match self.t.get(key) {
            None => dflt.ok_or_else(|| format!("{} needs {key}", self.at)),
            Some(Value::Integer(i)) if *i >= lo as i64 && (*i as u64) <= hi => Ok(*i as u64),
            Some(other) => Err(format!(
                "{}.{key} = {other} is out of range; allowed: a whole number from {lo} to {hi}",
                self.at
            )),
        }
    }

    fn unknown(&self) -> Res<()> {
        for k in self.t.keys() {
            if !self.used.contains(&k.as_str()) {
                let mut allowed = self.used.clone();
                allowed.sort_unstable();
                allowed.dedup();
                return Err(format!(
                    "{}: unknown key '{k}'; allowed here: {}",
                    self.at,
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// Parses the layers. `kinds` gains the kinds named by layers and not
/// declared in `[[audience.tie_kinds]]` (with the layer's `trust`, else the
/// graph's default trust); `role_names` lists role ids' names (0 = public).
///
/// # Errors
/// A message naming `[audience].layers[i].key`, the value and what is allowed.
pub(super) fn parse(
    raw: Vec<Table>,
    nodes: usize,
    segments: &[Segment],
    role_names: &[&str],
    kinds: &mut Vec<TieKind>,
    declared: usize,
    trust: TrustDist,
) -> Res<Vec<Layer>> {
    if raw.is_empty() {
        return Err("[[audience.layers]] lists no layer; give at least one (household, workplace, friends, community, …)".into());
    }
    let mut out = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let at = format!("[audience].layers[{i}]");
        let mut k = Keys {
            t,
            at: at.clone(),
            used: vec!["kind", "tie_kind", "trust"],
        };
        let kind = match t.get("kind") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(format!(
                    "{at}.kind = {other} is not a layer type; allowed: {KINDS}"
                ));
            }
            None => return Err(format!("{at} needs kind = one of {KINDS}")),
        };
        let layer_kind = match kind {
            "household" => {
                k.used.extend(["sizes", "same_segment"]);
                let sizes = match t.get("sizes") {
                    None => DEFAULT_HOUSEHOLD_SIZES.to_vec(),
                    Some(Value::Array(a)) => {
                        let v: Vec<f64> = a
                            .iter()
                            .map(|x| match x {
                                Value::Float(f) => Some(*f),
                                Value::Integer(i) => Some(*i as f64),
                                _ => None,
                            })
                            .collect::<Option<_>>()
                            .ok_or_else(|| format!("{at}.sizes must list numbers (shares of households of 1, 2, … people)"))?;
                        let sum: f64 = v.iter().sum();
                        if v.is_empty()
                            || v.len() > 100
                            || v.iter().any(|x| !(x.is_finite() && *x >= 0.0))
                            || (sum - 1.0).abs() > 1e-6
                        {
                            return Err(format!(
                                "{at}.sizes = {} is not allowed: give 1 to 100 shares ≥ 0 of households of 1, 2, … people, summing to 1 (they sum to {sum})",
                                Value::Array(a.clone())
                            ));
                        }
                        v
                    }
                    Some(other) => {
                        return Err(format!("{at}.sizes = {other} must be a list of shares"));
                    }
                };
                LayerKind::Household {
                    sizes,
                    same_segment: k.range("same_segment", 0.0, 0.0, 1.0, "0 to 1")?,
                }
            }
            "workplace" => {
                k.used.extend([
                    "employed",
                    "min_size",
                    "max_size",
                    "exponent",
                    "contacts",
                    "brand_role",
                ]);
                let employed = match t.get("employed") {
                    None => vec![0.6; segments.len()],
                    Some(Value::Table(m)) => {
                        let mut v = vec![0.0; segments.len()];
                        for (seg, x) in m {
                            let Some(j) = segments.iter().position(|s| &s.name == seg) else {
                                return Err(format!(
                                    "{at}.employed.{seg}: no such segment; segments are {:?}",
                                    segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
                                ));
                            };
                            let x = x.as_float().or_else(|| x.as_integer().map(|i| i as f64));
                            match x {
                                Some(x) if (0.0..=1.0).contains(&x) => v[j] = x,
                                _ => {
                                    return Err(format!(
                                        "{at}.employed.{seg} must be a share from 0 to 1"
                                    ));
                                }
                            }
                        }
                        v
                    }
                    Some(_) => {
                        let e = k.range(
                            "employed",
                            0.6,
                            0.0,
                            1.0,
                            "a share from 0 to 1, or { segment = share, … }",
                        )?;
                        vec![e; segments.len()]
                    }
                };
                let min_size = k.int("min_size", Some(2), 1, 1_000_000)? as u32;
                let max_size = k.int("max_size", Some(1000), 1, 1_000_000)? as u32;
                if max_size < min_size {
                    return Err(format!(
                        "{at}: max_size = {max_size} is below min_size = {min_size}"
                    ));
                }
                let brand_role = match t.get("brand_role") {
                    None => role_names
                        .iter()
                        .position(|r| *r == "employee")
                        .map(|j| j as u8),
                    Some(Value::String(r)) if r.is_empty() => None,
                    Some(Value::String(r)) => match role_names.iter().position(|x| x == r) {
                        Some(0) | None => {
                            return Err(format!(
                                "{at}.brand_role = {r:?} is not a declared role; roles are {:?} (\"\" for no brand workplace)",
                                &role_names[1..]
                            ));
                        }
                        Some(j) => Some(j as u8),
                    },
                    Some(other) => {
                        return Err(format!("{at}.brand_role = {other} must be a role's name"));
                    }
                };
                LayerKind::Workplace {
                    employed,
                    min_size,
                    max_size,
                    exponent: k.range("exponent", 2.0, 1.0, 5.0, "1 to 5")?,
                    contacts: k.range("contacts", 10.0, 0.0, 1000.0, "0 to 1000 colleagues")?,
                    brand_role,
                }
            }
            "friends" => {
                k.used.extend(["k", "rewire", "homophily"]);
                let kk = k.int("k", Some(6), 2, 1000)?;
                if kk % 2 != 0 {
                    return Err(format!(
                        "{at}.k = {kk} must be even (k/2 ring neighbours on each side)"
                    ));
                }
                LayerKind::Friends {
                    k: kk as usize,
                    rewire: k.range("rewire", 0.1, 0.0, 1.0, "0 to 1")?,
                    homophily: k.range("homophily", 0.8, 0.0, 1.0, "0 to 1")?,
                }
            }
            "community" | "erdos_renyi" => {
                k.used.push("mean_degree");
                LayerKind::Community {
                    mean_degree: k.range(
                        "mean_degree",
                        if kind == "community" { 2.0 } else { f64::NAN },
                        0.0,
                        (nodes.saturating_sub(1)).min(10_000) as f64,
                        "0 to min(nodes − 1, 10000)",
                    )?,
                }
            }
            "barabasi_albert" => {
                k.used.push("m");
                LayerKind::BarabasiAlbert {
                    m: k.int("m", None, 1, 1000)? as usize,
                }
            }
            "watts_strogatz" => {
                k.used.extend(["k", "rewire"]);
                LayerKind::WattsStrogatz {
                    k: k.int("k", None, 2, 1000)? as usize,
                    rewire: k.range("rewire", f64::NAN, 0.0, 1.0, "0 to 1")?,
                }
            }
            "powerlaw_cluster" => {
                k.used.extend(["m", "triangle"]);
                LayerKind::PowerlawCluster {
                    m: k.int("m", None, 1, 1000)? as usize,
                    triangle: k.range("triangle", f64::NAN, 0.0, 1.0, "0 to 1")?,
                }
            }
            other => {
                return Err(format!(
                    "{at}.kind = {other:?} is not a layer type; allowed: {KINDS}"
                ));
            }
        };
        k.unknown()?;
        let kind_name = match t.get("tie_kind") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(format!("{at}.tie_kind = {other} must be a tie kind's name"));
            }
            None => match default_kind(kind) {
                Some(d) => d.to_string(),
                None => {
                    return Err(format!(
                        "{at} ({kind}) needs tie_kind = \"…\" (the kind of its ties, e.g. \"acquaintance\")"
                    ));
                }
            },
        };
        let layer_trust = match t.get("trust") {
            None => None,
            Some(v) => Some(super::audience::trust_of(v).map_err(|e| format!("{at}.trust: {e}"))?),
        };
        let id = match kinds.iter().position(|x| x.name == kind_name) {
            Some(j) if j < declared && layer_trust.is_some() => {
                return Err(format!(
                    "{at}.trust: tie kind {kind_name:?} already has its trust in [[audience.tie_kinds]]; give it in one place"
                ));
            }
            Some(j) => j,
            None => {
                let t = layer_trust.unwrap_or(trust);
                t.validate(&format!("{at}.trust"))
                    .map_err(|e| e.to_string())?;
                // Weights are unused: a layer's ties have the layer's kind.
                kinds.push(TieKind::plain(&kind_name, t));
                kinds.len() - 1
            }
        };
        if out.iter().any(|l: &Layer| l.tie_kind as usize == id) {
            return Err(format!(
                "{at}.tie_kind = {kind_name:?} is already the kind of an earlier layer; a tie's kind is its layer, so give each layer its own kind"
            ));
        }
        out.push(Layer {
            kind: layer_kind,
            tie_kind: id as u8,
        });
    }
    Ok(out)
}
