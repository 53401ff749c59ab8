//! Cascade trees: who engaged whom in chosen trials (`run --trees`).
//!
//! The ensembles run without noting who engaged whom, so that the kernels
//! stay lean. A trial depends only on `(seed, trial)`, so a chosen trial is
//! replayed afterwards on the general kernel with noting switched on
//! ([`record`]); the plain kernel makes the same draws as the general one,
//! and the replay is checked to give the recorded trial's outcome exactly.
//! The trees are written as `trees.csv` ([`trees_csv`]) and `trees.gexf`
//! ([`trees_gexf`], GEXF 1.3 for Gephi and networkx), and drawn as
//! `cascade_tree.png` ([`crate::plot::cascade_tree`]).

use crate::engine::cascade::run_trial_recorded;
use crate::engine::state::{NO_ARC, NO_PARENT, NO_PLAN, NOT_SHARED};
use crate::engine::{Compiled, Ensemble, Workspace};
use crate::error::{Error, Result};
use std::fmt::Write as _;

/// The per-person table of the exported trees.
pub const CSV_FILE: &str = "trees.csv";
/// The exported trees as a GEXF 1.3 graph.
pub const GEXF_FILE: &str = "trees.gexf";

/// The flag trees are asked for with, as messages name it.
pub const FLAG: &str = "--trees";

/// Which trials' trees to export: the first `first` trials, and/or the
/// trial closest to the median cascade size, and/or the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TreeSelection {
    /// Trees of the first this many trials of the run (0: none).
    pub first: u64,
    /// The tree of the trial closest to the median cascade size.
    pub median: bool,
    /// The tree of the largest cascade.
    pub largest: bool,
}

impl TreeSelection {
    /// Parses `--trees`: a comma-separated list of a trial count K ≥ 1 (the
    /// first K trials), `median` and `largest`, e.g. `3,median,largest`.
    ///
    /// # Errors
    /// [`Error::Parameter`] naming `--trees`, the value found and what is
    /// allowed.
    pub fn parse(text: &str) -> Result<Self> {
        let allowed = "allowed: a number of trials K ≥ 1 (the first K), median, largest, or a comma-separated list of them such as 3,median,largest";
        let mut sel = TreeSelection::default();
        let mut any = false;
        for part in text.split(',').map(str::trim) {
            match part {
                "median" => sel.median = true,
                "largest" => sel.largest = true,
                p if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    match p.parse::<u64>() {
                        Ok(k) if k >= 1 => sel.first = sel.first.max(k),
                        _ => {
                            return Err(Error::param(
                                FLAG,
                                format!("'{p}' (in '{text}') is not a trial count; {allowed}"),
                            ));
                        }
                    }
                }
                p => {
                    return Err(Error::param(
                        FLAG,
                        format!("'{p}' (in '{text}') is not understood; {allowed}"),
                    ));
                }
            }
            any = true;
        }
        if !any {
            return Err(Error::param(FLAG, format!("'{text}' is empty; {allowed}")));
        }
        Ok(sel)
    }

    /// Checks the selection against a run of `trials` trials.
    ///
    /// # Errors
    /// [`Error::Parameter`] naming `--trees` when it asks for more trials
    /// than the run has.
    pub fn check(&self, trials: u64) -> Result<()> {
        if self.first > trials {
            return Err(Error::param(
                FLAG,
                format!(
                    "'{}' asks for the trees of the first {} trials but the run has {trials} trials; allowed: 1 to {trials} (or median, largest)",
                    self.first, self.first
                ),
            ));
        }
        Ok(())
    }

    /// The trials selected in `ens`, in increasing order without repeats.
    pub fn trials(&self, ens: &Ensemble) -> Vec<u64> {
        let range = ens.trial_range();
        let mut v: Vec<u64> = (range.start..range.end.min(range.start + self.first)).collect();
        if self.median {
            v.extend(median_trial(ens));
        }
        if self.largest {
            v.extend(largest_trial(ens));
        }
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// The trial whose cascade size (people engaged) is closest to the median
/// size over the ensemble (the mean of the two middle sizes when the count
/// is even); the earliest such trial. None for an empty ensemble.
pub fn median_trial(ens: &Ensemble) -> Option<u64> {
    let mut sizes: Vec<u32> = ens.outcomes.iter().map(|o| o.engaged).collect();
    if sizes.is_empty() {
        return None;
    }
    sizes.sort_unstable();
    let n = sizes.len();
    // Twice the median, in integers.
    let twice = sizes[(n - 1) / 2] as u64 + sizes[n / 2] as u64;
    let best = ens
        .outcomes
        .iter()
        .enumerate()
        .min_by_key(|(i, o)| ((2 * o.engaged as u64).abs_diff(twice), *i))
        .map(|(i, _)| i)?;
    Some(ens.first_trial + best as u64)
}

/// The trial with the largest cascade (people engaged); the earliest such
/// trial. None for an empty ensemble.
pub fn largest_trial(ens: &Ensemble) -> Option<u64> {
    let best = ens
        .outcomes
        .iter()
        .enumerate()
        .min_by_key(|(i, o)| (std::cmp::Reverse(o.engaged), *i))
        .map(|(i, _)| i)?;
    Some(ens.first_trial + best as u64)
}

/// One engaged person in a cascade tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreePerson {
    /// The person: their label when the graph has labels, else own id.
    pub person: String,
    /// The index (in [`CascadeTree::people`]) of who engaged them; None for
    /// seeds and paid-reach engagements.
    pub parent: Option<u32>,
    /// How they came in: the strategy of the seeding plan that picked them
    /// (`top_degree`, `explicit`, `random`, …), `paid_reach`, or `tie`.
    pub channel: String,
    /// Step at which they engaged (seeds and paid reach: 0).
    pub step: u32,
    /// Step at which they shared; None if they never did.
    pub shared: Option<u32>,
    /// Kind of the tie that engaged them (None for seeds and paid reach).
    pub tie_kind: Option<String>,
    /// Trust of the tie that engaged them (the brand trust for paid reach;
    /// None for seeds).
    pub trust: Option<f32>,
    /// Segment id (a name in [`Trees::segments`]).
    pub segment: u16,
    /// Role id (a name in [`Trees::roles`]).
    pub role: u8,
    /// They converted.
    pub converted: bool,
    /// They created earned media.
    pub earned_media: bool,
    /// Ties from the brand: 0 for seeds, 1 for paid reach, parent's + 1
    /// otherwise (the trial's `depth` is the largest).
    pub depth: u32,
}

/// The cascade tree (a forest: one tree per seed or paid engagement) of one
/// trial, people in the order they engaged, so parents come first.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadeTree {
    /// The trial number.
    pub trial: u64,
    /// The trial's outcome (as in the ensemble).
    pub outcome: crate::engine::TrialOutcome,
    /// Everyone who engaged.
    pub people: Vec<TreePerson>,
}

/// The trees a run exports and draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Trees {
    /// Every tree recorded, in trial order.
    pub trees: Vec<CascadeTree>,
    /// The trials written to `trees.csv` and `trees.gexf`.
    pub exported: Vec<u64>,
    /// The trial closest to the median cascade size.
    pub median: Option<u64>,
    /// The trial with the largest cascade.
    pub largest: Option<u64>,
    /// Segment names by id.
    pub segments: Vec<String>,
    /// Role names by id.
    pub roles: Vec<String>,
}

impl Trees {
    /// The recorded tree of `trial`, if any.
    pub fn tree(&self, trial: u64) -> Option<&CascadeTree> {
        self.trees
            .binary_search_by_key(&trial, |t| t.trial)
            .ok()
            .map(|i| &self.trees[i])
    }

    /// The exported trees, in trial order.
    pub fn exported(&self) -> impl Iterator<Item = &CascadeTree> {
        self.exported.iter().filter_map(|&t| self.tree(t))
    }
}

/// Replays trial `trial` of `c` with noting on and returns its tree.
///
/// # Panics
/// When the replay's outcome differs from `expected` (the outcome the
/// ensemble recorded for that trial): the kernels would disagree, a bug.
pub fn record_trial(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    trial: u64,
    expected: &crate::engine::TrialOutcome,
) -> CascadeTree {
    let outcome = run_trial_recorded(c, ws, trial);
    // The replay must be the trial the ensemble ran, whichever kernel ran it.
    assert_eq!(
        outcome.engaged, expected.engaged,
        "trial {trial}: the replayed cascade tree has {} people but the trial engaged {}",
        outcome.engaged, expected.engaged
    );
    assert_eq!(&outcome, expected, "trial {trial}: replay differs");
    let g = c.graph;
    let vocab = g.vocabulary();
    let seeding = c.seeding;
    let people = ws
        .engaged
        .iter()
        .zip(&ws.notes)
        .map(|(e, n)| {
            let arc = (n.arc != NO_ARC).then_some(n.arc as usize);
            let paid_trust = (n.plan != NO_PLAN)
                .then(|| match &seeding.plans[n.plan as usize] {
                    crate::engine::ResolvedPlan::Paid { brand_trust, .. } => {
                        Some(*brand_trust as f32)
                    }
                    _ => None,
                })
                .flatten();
            TreePerson {
                person: g.label(e.node),
                parent: (e.parent != NO_PARENT).then_some(e.parent),
                channel: if n.plan == NO_PLAN {
                    "tie".to_string()
                } else {
                    seeding.strategies[n.plan as usize].clone()
                },
                step: n.step,
                shared: (n.shared != NOT_SHARED).then_some(n.shared),
                tie_kind: arc.map(|a| {
                    let k = g.kinds()[a] as usize;
                    vocab.kinds.get(k).cloned().unwrap_or_else(|| k.to_string())
                }),
                trust: arc
                    .map(|a| crate::graph::trust_shown(g.trust_levels()[a]))
                    .or(paid_trust),
                segment: g.segments()[e.node as usize],
                role: g.roles()[e.node as usize],
                converted: n.converted,
                earned_media: n.earned,
                depth: e.depth,
            }
        })
        .collect();
    CascadeTree {
        trial,
        outcome,
        people,
    }
}

/// Records the trees of `sel`'s trials of `ens` (trials of `c`), and with
/// `for_chart` those of the median and largest trials too (which
/// `cascade_tree.png` draws).
///
/// # Panics
/// As [`record_trial`].
pub fn record(c: &Compiled<'_>, ens: &Ensemble, sel: &TreeSelection, for_chart: bool) -> Trees {
    let exported = sel.trials(ens);
    let median = median_trial(ens);
    let largest = largest_trial(ens);
    let mut all = exported.clone();
    if for_chart {
        all.extend(median);
        all.extend(largest);
        all.sort_unstable();
        all.dedup();
    }
    let mut ws = Workspace::new(c.graph.node_count());
    let trees = all
        .iter()
        .map(|&t| {
            let expected = &ens.outcomes[(t - ens.first_trial) as usize];
            record_trial(c, &mut ws, t, expected)
        })
        .collect();
    let vocab = c.graph.vocabulary();
    Trees {
        trees,
        exported,
        median,
        largest,
        segments: vocab.segments.clone(),
        roles: vocab.roles.clone(),
    }
}

/// Column names of `trees.csv`.
pub const CSV_HEADER: [&str; 12] = [
    "trial",
    "person",
    "parent",
    "channel",
    "step_engaged",
    "step_shared",
    "tie_kind",
    "trust",
    "segment",
    "role",
    "converted",
    "earned_media",
];

/// `trees.csv`: one row per engaged person of each exported tree, trials in
/// order and people in the order they engaged (parents first). `parent`,
/// `step_shared`, `tie_kind` and `trust` are empty when they do not apply;
/// `converted` and `earned_media` are 0 or 1.
pub fn trees_csv(trees: &Trees) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(CSV_HEADER);
    let opt = |x: Option<String>| x.unwrap_or_default();
    for t in trees.exported() {
        for p in &t.people {
            let _ = w.write_record([
                t.trial.to_string(),
                p.person.clone(),
                opt(p.parent.map(|i| t.people[i as usize].person.clone())),
                p.channel.clone(),
                p.step.to_string(),
                opt(p.shared.map(|s| s.to_string())),
                opt(p.tie_kind.clone()),
                opt(p.trust.map(|x| x.to_string())),
                name(&trees.segments, p.segment as usize),
                name(&trees.roles, p.role as usize),
                (p.converted as u8).to_string(),
                (p.earned_media as u8).to_string(),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}

fn name(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_else(|| i.to_string())
}

/// Escapes text for an XML attribute.
fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// `trees.gexf`: the exported trees as one directed GEXF 1.3 graph. Nodes
/// are keyed `TRIAL:PERSON` (labelled with the person) and carry the
/// `trees.csv` columns as attributes (those that do not apply are left
/// out); edges run from parent to child and carry the tie's kind and trust.
pub fn trees_gexf(trees: &Trees) -> Vec<u8> {
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str("<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n");
    let _ = writeln!(
        o,
        "  <meta>\n    <creator>viralsim {}</creator>\n    <description>Cascade trees: who engaged whom, trials {}</description>\n  </meta>",
        env!("CARGO_PKG_VERSION"),
        xml(&trees
            .exported
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "))
    );
    o.push_str("  <graph defaultedgetype=\"directed\" mode=\"static\">\n");
    o.push_str("    <attributes class=\"node\">\n");
    let node_attrs = [
        ("trial", "long"),
        ("person", "string"),
        ("channel", "string"),
        ("step_engaged", "integer"),
        ("step_shared", "integer"),
        ("tie_kind", "string"),
        ("trust", "double"),
        ("segment", "string"),
        ("role", "string"),
        ("converted", "boolean"),
        ("earned_media", "boolean"),
    ];
    for (i, (title, ty)) in node_attrs.iter().enumerate() {
        let _ = writeln!(
            o,
            "      <attribute id=\"{i}\" title=\"{title}\" type=\"{ty}\"/>"
        );
    }
    o.push_str("    </attributes>\n    <attributes class=\"edge\">\n");
    o.push_str("      <attribute id=\"0\" title=\"tie_kind\" type=\"string\"/>\n");
    o.push_str("      <attribute id=\"1\" title=\"trust\" type=\"double\"/>\n");
    o.push_str("    </attributes>\n    <nodes>\n");
    let key = |t: &CascadeTree, p: &TreePerson| xml(&format!("{}:{}", t.trial, p.person));
    for t in trees.exported() {
        for p in &t.people {
            let _ = write!(
                o,
                "      <node id=\"{}\" label=\"{}\"><attvalues>",
                key(t, p),
                xml(&p.person)
            );
            let mut val = |i: usize, v: String| {
                let _ = write!(o, "<attvalue for=\"{i}\" value=\"{}\"/>", xml(&v));
            };
            val(0, t.trial.to_string());
            val(1, p.person.clone());
            val(2, p.channel.clone());
            val(3, p.step.to_string());
            if let Some(s) = p.shared {
                val(4, s.to_string());
            }
            if let Some(k) = &p.tie_kind {
                val(5, k.clone());
            }
            if let Some(x) = p.trust {
                val(6, x.to_string());
            }
            val(7, name(&trees.segments, p.segment as usize));
            val(8, name(&trees.roles, p.role as usize));
            val(9, p.converted.to_string());
            val(10, p.earned_media.to_string());
            o.push_str("</attvalues></node>\n");
        }
    }
    o.push_str("    </nodes>\n    <edges>\n");
    let mut id = 0u64;
    for t in trees.exported() {
        for p in &t.people {
            let Some(parent) = p.parent else { continue };
            let _ = write!(
                o,
                "      <edge id=\"{id}\" source=\"{}\" target=\"{}\"><attvalues>",
                key(t, &t.people[parent as usize]),
                key(t, p)
            );
            if let Some(k) = &p.tie_kind {
                let _ = write!(o, "<attvalue for=\"0\" value=\"{}\"/>", xml(k));
            }
            if let Some(x) = p.trust {
                let _ = write!(o, "<attvalue for=\"1\" value=\"{x}\"/>");
            }
            o.push_str("</attvalues></edge>\n");
            id += 1;
        }
    }
    o.push_str("    </edges>\n  </graph>\n</gexf>\n");
    o.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_median_and_largest() {
        let p = |s| TreeSelection::parse(s).unwrap();
        assert_eq!(
            p("3"),
            TreeSelection {
                first: 3,
                median: false,
                largest: false
            }
        );
        assert_eq!(
            p("median,largest"),
            TreeSelection {
                first: 0,
                median: true,
                largest: true
            }
        );
        assert_eq!(
            p("3, median,largest"),
            TreeSelection {
                first: 3,
                median: true,
                largest: true
            }
        );
        for bad in ["0", "medain", "", "3,", "-1", "1.5"] {
            let e = TreeSelection::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--trees") && e.contains("allowed"), "{bad}: {e}");
        }
        assert!(p("5").check(4).is_err());
        assert!(p("4").check(4).is_ok());
    }

    #[test]
    fn xml_escapes_attribute_text() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
