//! Fuzzing harness, run in the normal suite for a bounded number of cases:
//! generated and mutated inputs for the scenario parser and the edge-list,
//! attribute and degree readers. Properties: no panic; an input error is
//! an input error (exit code 2) whose one-line message names the file and
//! stays bounded; what parses holds its invariants.

use proptest::prelude::*;
use std::path::Path;
use viralsim::Error;
use viralsim::graph::io::{
    EdgeList, EdgeListOptions, IdMode, Names, parse_edge_list_chunked, parse_edge_list_serial,
    parse_edge_list_with, parse_node_attributes,
};
use viralsim::scenario::Scenario;

const CASES: u32 = 400;

/// The harness's configuration: `cases` cases from a fixed random seed, so
/// that the suite is reproducible (the same cases on every machine and run).
/// `PROPTEST_RNG_SEED=N` explores other cases; a failure prints its minimal
/// input, to be kept as a test of its own.
fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_f022_u64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

/// Checks an error: an input error naming `file`, one line, bounded.
fn check_error(e: &Error, file: &str) {
    let msg = e.to_string();
    assert!(e.is_input_error(), "not an input error: {msg}");
    assert!(msg.contains(file), "message does not name {file}: {msg}");
    assert!(!msg.contains('\n'), "more than one line: {msg}");
    assert!(msg.len() < 4000, "message of {} bytes", msg.len());
}

const BASE: &str = "name = \"f\"\nseed = 3\ntrials = 10\n[graph]\nkind = \"erdos_renyi\"\nnodes = 60\nmean_degree = 4\n\
[[audience.roles]]\nname = \"blogger\"\ncount = 5\n[content]\nstickiness = 0.3\n\
[seeding]\nplans = [ { strategy = \"top_degree\", count = 3 }, { strategy = \"random\", count = 2 } ]\n\
[economics]\nvalue_per_conversion = 5\n";

const KEYS: [&str; 24] = [
    "name",
    "seed",
    "trials",
    "horizon",
    "model",
    "viral_threshold",
    "precision",
    "kind",
    "nodes",
    "mean_degree",
    "m",
    "k",
    "rewire",
    "stickiness",
    "shareability",
    "endorsement",
    "conversion",
    "strategy",
    "count",
    "impressions",
    "plans",
    "trust",
    "share_delay",
    "path",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-5".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("-1e-15".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("18446744073709551615".to_string()),
        Just("4294967296".to_string()),
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("\"x y\"".to_string()),
        Just("[]".to_string()),
        Just("[1, \"a\"]".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("{ distribution = \"beta\", alpha = 1e308, beta = 0 }".to_string()),
        Just("{ distribution = \"log_normal\", mu = 9, sigma = 5 }".to_string()),
        Just("{ strategy = \"paid_reach\", impressions = 70 }".to_string()),
        Just(
            "[{ strategy = \"random\", count = 59 }, { strategy = \"top_degree\", count = 2 }]"
                .to_string()
        ),
        (0u64..200).prop_map(|x| x.to_string()),
        (0.0f64..2.0).prop_map(|x| format!("{x}")),
        "[a-z_]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

/// One edit of a scenario's lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Set(usize, String, String),
    Insert(usize, String),
    Bytes(usize, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0usize..40).prop_map(Edit::Delete),
        (0usize..40, prop::sample::select(KEYS.to_vec()), value()).prop_map(|(i, k, v)| Edit::Set(
            i,
            k.to_string(),
            v
        )),
        (
            0usize..40,
            prop_oneof![
                Just("[graph]".to_string()),
                Just("[[audience.roles]]".to_string()),
                Just("[seeding".to_string()),
                Just("\u{feff}".to_string()),
                Just("a.b.c = 1".to_string()),
                "[ -~]{0,30}",
            ]
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        (0usize..40, prop::collection::vec(any::<u8>(), 0..8)).prop_map(|(i, b)| Edit::Bytes(i, b)),
    ]
}

fn apply(edits: &[Edit]) -> String {
    let mut lines: Vec<String> = BASE.lines().map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::Delete(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::Set(i, k, v) => {
                let i = i % n;
                if lines.is_empty() {
                    lines.push(format!("{k} = {v}"));
                } else {
                    lines[i] = format!("{k} = {v}");
                }
            }
            Edit::Insert(i, s) => lines.insert(i % (lines.len() + 1), s.clone()),
            Edit::Bytes(i, b) => {
                let s = String::from_utf8_lossy(b).into_owned();
                lines.insert(i % (lines.len() + 1), s);
            }
            _ => {}
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Mutated scenarios parse or fail with a message naming the file;
    /// those that parse resolve their seeding on the graph or fail the same way.
    #[test]
    fn scenario_parser(edits in prop::collection::vec(edit(), 0..6)) {
        let text = apply(&edits);
        match Scenario::from_toml(&text, "fuzz.toml", Path::new("."), "fuzz") {
            Err(e) => check_error(&e, "fuzz.toml"),
            Ok(s) => {
                // Only small generated graphs are built here.
                if s.graph.nodes().is_some_and(|n| n <= 2000) && s.graph.expected_arcs().is_some_and(|a| a.0 <= 1e5) {
                    match s.build_graph() {
                        Err(e) => check_error(&e, "fuzz.toml"),
                        Ok(g) => {
                            if let Err(e) = viralsim::engine::ResolvedSeeding::resolve(&s.seeding, &g, &s.file) {
                                check_error(&e, "fuzz.toml");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Arbitrary bytes as a scenario never panic.
    #[test]
    fn scenario_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = Scenario::from_toml(&text, "fuzz.toml", Path::new("."), "fuzz") {
            check_error(&e, "fuzz.toml");
        }
    }

    /// Edge lists from a grammar of ids, trust, kinds, headers, comments,
    /// separators and a byte-order mark, in every id mode; the chunked
    /// reader (also in chunks of a few bytes) gives what the line-by-line
    /// one gives, edge list or error.
    #[test]
    fn edge_list_reader(
        lines in prop::collection::vec(edge_line(), 0..30),
        mode in prop::sample::select(vec![IdMode::Index, IdMode::Label, IdMode::Auto]),
        directed in any::<bool>(),
        bom in any::<bool>(),
        chunk in 1usize..48,
    ) {
        let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
        text.push_str(&lines.join("\n"));
        let opts = EdgeListOptions { directed, ids: mode, kinds: Names::open() };
        let serial = summary(parse_edge_list_serial(&text, &opts, "edges.txt"));
        prop_assert_eq!(&summary(parse_edge_list_chunked(&text, &opts, "edges.txt", chunk)), &serial);
        prop_assert_eq!(&summary(parse_edge_list_with(&text, &opts, "edges.txt")), &serial);
        match parse_edge_list_with(&text, &opts, "edges.txt") {
            Err(e) => {
                check_error(&e, "edges.txt");
                prop_assert!(e.to_string().starts_with("edge list 'edges.txt'"), "{}", e);
            }
            Ok(el) => {
                prop_assert!(!el.arcs.is_empty());
                for w in el.arcs.windows(2) {
                    prop_assert!((w[0].0, w[0].1) < (w[1].0, w[1].1), "sorted, no repeats");
                }
                for a in &el.arcs {
                    prop_assert!((a.0 as usize) < el.nodes && (a.1 as usize) < el.nodes && a.0 != a.1);
                    prop_assert!(a.2.is_nan() || (0.0..=1.0).contains(&a.2));
                }
                if let Some(l) = &el.labels {
                    prop_assert_eq!(l.len(), el.nodes);
                    let bom = '\u{feff}';
                    prop_assert!(l.iter().all(|x| !x.starts_with(bom)), "a label keeps the byte-order mark");
                }
            }
        }
    }

    /// Attribute files: arbitrary CSV-ish text, then assembled with a small
    /// edge list (ids kept small so that the graph stays small).
    #[test]
    fn attribute_reader(lines in prop::collection::vec(attr_line(), 0..12), header in attr_header()) {
        let text = format!("{header}\n{}", lines.join("\n"));
        match parse_node_attributes(&text, "people.csv") {
            Err(e) => {
                check_error(&e, "people.csv");
                prop_assert!(e.to_string().starts_with("attribute file 'people.csv'"), "{}", e);
            }
            Ok(rows) => {
                let el = parse_edge_list_with("0 1\n1 2\n", &EdgeListOptions::new(false), "e.txt").unwrap();
                let r = viralsim::graph::build::from_edge_list(
                    el,
                    Some((&rows, "people.csv")),
                    None,
                    Default::default(),
                    1,
                );
                if let Err(e) = r {
                    check_error(&e, "people.csv");
                }
            }
        }
    }

    /// Degree files.
    #[test]
    fn degree_reader(lines in prop::collection::vec(degree_line(), 0..20)) {
        let text = lines.join("\n");
        match viralsim::graph::parse_degrees(&text, "degrees.txt") {
            Err(e) => {
                check_error(&e, "degrees.txt");
                prop_assert!(e.to_string().starts_with("degree file 'degrees.txt'"), "{}", e);
            }
            Ok(d) => prop_assert_eq!(d.len(), lines.iter().filter(|l| {
                let l = l.trim_start_matches('\u{feff}');
                !l.split('#').next().unwrap_or("").trim().is_empty()
            }).count()),
        }
    }
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..20).prop_map(|x| x.to_string()),
        Just("4294967295".to_string()),
        Just("4294967294".to_string()),
        Just("-1".to_string()),
        Just("1.5".to_string()),
        "[a-z]{1,3}",
        Just("".to_string()),
    ]
}

/// An edge list read: people, arcs (trust as bits), labels and kinds.
type Read = (
    usize,
    Vec<(u32, u32, u32, u8)>,
    Option<Vec<String>>,
    Vec<String>,
);

/// An edge list read, or its error message, comparable.
fn summary(r: viralsim::error::Result<EdgeList>) -> Result<Read, String> {
    r.map(|e| {
        let arcs = e
            .arcs
            .iter()
            .map(|&(u, v, t, k)| (u, v, t.to_bits(), k))
            .collect();
        (e.nodes, arcs, e.labels, e.kinds)
    })
    .map_err(|e| e.to_string())
}

fn edge_line() -> impl Strategy<Value = String> {
    let trust = prop_oneof![
        Just(String::new()),
        Just("0.5".into()),
        Just("2".into()),
        Just("nan".into()),
        Just("-0".into()),
        Just(".25".into()),
        Just("1.".into()),
        Just("0.73412347".into()),
        Just("1e-1".into()),
        Just("1.0000001".into())
    ];
    let kind = prop_oneof![
        Just(String::new()),
        Just("friend".into()),
        Just("family".into())
    ];
    prop_oneof![
        4 => (id(), id(), trust, kind, prop::sample::select(vec![" ", ",", "\t", " , "]))
            .prop_map(|(u, v, t, k, sep)| [u, v, t, k].join(sep).trim_end_matches([',', ' ']).to_string()),
        1 => Just("source,target,trust,kind".to_string()),
        1 => Just("u v weight".to_string()),
        1 => Just("# comment".to_string()),
        1 => Just("0 1 0.5 friend extra".to_string()),
        1 => "[ -~]{0,20}",
    ]
}

fn attr_header() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "id,segment,role",
        "id,role",
        "id,segment",
        "segment,role",
        "id,id",
        "id,colour",
        "\u{feff}id,role",
        "",
    ])
    .prop_map(str::to_string)
}

fn attr_line() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            (0u32..6).prop_map(|x| x.to_string()),
            Just("x".to_string()),
            Just(String::new()),
            Just("4294967295".to_string())
        ],
        prop_oneof![
            Just("all".to_string()),
            Just("north".to_string()),
            Just(String::new())
        ],
        prop_oneof![
            Just("blogger".to_string()),
            Just("public".to_string()),
            Just(String::new()),
            Just("\"q,\"".to_string())
        ],
        any::<bool>(),
    )
        .prop_map(|(i, s, r, extra)| {
            if extra {
                format!("{i},{s},{r},more")
            } else {
                format!("{i},{s},{r}")
            }
        })
}

fn degree_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..50).prop_map(|x| x.to_string()),
        Just("4294967296".to_string()),
        Just("-3".to_string()),
        Just("2 # note".to_string()),
        Just("\u{feff}3".to_string()),
        Just(String::new()),
        "[ -~]{0,10}",
    ]
}

/// One seeding plan of the randomised combinations.
fn plan() -> impl Strategy<Value = String> {
    let k = || prop_oneof![1u32..8, 8u32..45, Just(60u32)];
    prop_oneof![
        k().prop_map(|c| format!("{{ strategy = \"random\", count = {c} }}")),
        k().prop_map(|c| format!("{{ strategy = \"top_degree\", count = {c} }}")),
        k().prop_map(|c| format!(
            "{{ strategy = \"random\", count = {c}, roles = [\"blogger\"] }}"
        )),
        k().prop_map(|c| format!("{{ strategy = \"by_role\", role = \"blogger\", count = {c} }}")),
        k().prop_map(|c| format!(
            "{{ strategy = \"by_role\", role = \"blogger\", count = {c}, pick = \"random\" }}"
        )),
        k().prop_map(|c| format!(
            "{{ strategy = \"by_segment\", segments = [\"north\"], count = {c} }}"
        )),
        k().prop_map(|c| format!("{{ strategy = \"paid_reach\", impressions = {c} }}")),
        k().prop_map(|c| format!(
            "{{ strategy = \"paid_reach\", impressions = {c}, segments = [\"south\"] }}"
        )),
        Just("{ strategy = \"by_role\", role = \"blogger\" }".to_string()),
        Just("{ strategy = \"explicit\", nodes = [0, 1, 2] }".to_string()),
    ]
}

proptest! {
    #![proptest_config(config(120))]

    /// Randomised combinations of seeding plans on 50 people (8 bloggers,
    /// two segments): either refused at validation with a message naming
    /// the file, or every trial holds seeds ≤ people, reached ≤ people and
    /// role and segment counts within their sizes (`check_rows`).
    #[test]
    fn seeding_plan_combinations(plans in prop::collection::vec(plan(), 1..4), model in any::<bool>()) {
        let text = format!(
            "name = \"p\"\nseed = 11\ntrials = 6\nmodel = \"{}\"\n\
             [graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\n\
             [audience]\nsegments = [ {{ name = \"north\", share = 0.5 }}, {{ name = \"south\", share = 0.5 }} ]\n\
             [[audience.roles]]\nname = \"blogger\"\ncount = 8\n\
             [content]\nstickiness = 0.4\n[seeding]\nplans = [ {} ]\n",
            if model { "independent_cascade" } else { "linear_threshold" },
            plans.join(", ")
        );
        let s = match Scenario::from_toml(&text, "fuzz.toml", Path::new("."), "fuzz") {
            Ok(s) => s,
            Err(e) => {
                check_error(&e, "fuzz.toml");
                return Ok(());
            }
        };
        let g = s.build_graph().unwrap();
        match viralsim::run::simulate(&s, &g, &viralsim::run::RunSettings::default()) {
            Err(e) => check_error(&e, "fuzz.toml"),
            Ok((_, ens)) => {
                super::hardening::check_rows(&plans.join(", "), &g, &ens);
                for o in &ens.outcomes {
                    prop_assert!(o.seeds as usize <= g.node_count());
                }
            }
        }
    }
}

/// Cases the harness found, kept as tests: a backslash at the end of a
/// broken quoted key must not pull the next line into the message.
#[test]
fn a_backslash_before_a_new_line_keeps_the_message_on_one_line() {
    for text in [
        "\"\\\nseed = 3\ntrials = 10\n".to_string(),
        format!("$v[P\\\n{BASE}"),
        format!("\"\\\n{}", &BASE[BASE.find('\n').unwrap() + 1..]),
    ] {
        let e = Scenario::from_toml(&text, "fuzz.toml", Path::new("."), "fuzz")
            .expect_err("a broken first line is an error");
        check_error(&e, "fuzz.toml");
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}

/// A seeding strategy that is a number, not a name, is named by its key
/// on one line.
#[test]
fn a_numeric_strategy_is_named_on_one_line() {
    let text = BASE.replace("[seeding]\n", "[seeding]\nstrategy = -5\n");
    let text = text.replace(
        "plans = [ { strategy = \"top_degree\", count = 3 }, { strategy = \"random\", count = 2 } ]\n",
        "",
    );
    let e = Scenario::from_toml(&text, "fuzz.toml", Path::new("."), "fuzz")
        .expect_err("a number is not a strategy");
    check_error(&e, "fuzz.toml");
    assert!(e.to_string().contains("[seeding].strategy"), "{e}");
}
