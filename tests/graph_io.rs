//! Edge lists and node attribute files: round trip generate → export →
//! load, labels, kinds, the error policy, and the `viralsim graph` commands.

use assert_cmd::Command;
use std::path::Path;
use viralsim::graph::build::from_edge_list;
use viralsim::graph::io;
use viralsim::scenario::Scenario;

const AUDIENCE: &str = r#"
[audience]
segments = [{ name = "north", share = 0.6 }, { name = "south", share = 0.4 }]
[[audience.roles]]
name = "employee"
count = 50
[[audience.roles]]
name = "blogger"
share = 0.01
followers = 40
[[audience.tie_kinds]]
name = "family"
within = 1.0
between = 0.2
trust = { distribution = "beta", alpha = 8.0, beta = 2.0 }
[[audience.tie_kinds]]
name = "friend"
trust = { distribution = "uniform", low = 0.3, high = 0.9 }
[[audience.tie_kinds]]
name = "colleague"
roles = ["employee"]
within = 5.0
between = 5.0
[[audience.tie_kinds]]
name = "follower"
trust = { distribution = "fixed", value = 0.25 }
[content]
stickiness = 0.05
[seeding]
strategy = "random"
count = 1
"#;

/// [`AUDIENCE`] for a graph whose attribute file gives the roles: the
/// roles are named without amounts (the file's role column decides them).
fn file_roles() -> String {
    AUDIENCE
        .replace("count = 50\n", "")
        .replace("share = 0.01\n", "")
}

fn generated(dir: &Path) -> Scenario {
    let text = format!(
        "seed = 5\n[graph]\nkind = \"powerlaw_cluster\"\nnodes = 3000\nm = 3\ntriangle = 0.4\n{AUDIENCE}"
    );
    Scenario::from_toml(&text, "gen.toml", dir, "gen").unwrap()
}

#[test]
fn round_trip_generate_export_load_gives_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    let s = generated(dir.path());
    let g = s.build_graph().unwrap();
    io::write_edge_list(&g, &dir.path().join("edges.txt")).unwrap();
    io::write_node_attributes(&g, &dir.path().join("nodes.csv")).unwrap();
    let text = format!(
        "seed = 5\n[graph]\nkind = \"edge_list\"\npath = \"edges.txt\"\ndirected = true\nattributes = \"nodes.csv\"\n{}",
        file_roles()
    );
    let back = Scenario::from_toml(&text, "load.toml", dir.path(), "load")
        .unwrap()
        .build_graph()
        .unwrap();
    assert_eq!(g, back);
    // And through the library without a scenario (names adopted from the
    // files): the graph in its people's own id order, which petgraph
    // conversion (in own ids) also gives, and which locality order turns
    // into the scenario's storage.
    let el = io::read_edge_list(&dir.path().join("edges.txt"), true).unwrap();
    let rows = io::read_node_attributes(&dir.path().join("nodes.csv")).unwrap();
    let free = from_edge_list(el, Some((&rows, "nodes.csv")), None, Default::default(), 0).unwrap();
    let pg = viralsim::graph::SocialGraph::from_petgraph(&g.to_petgraph(), g.vocabulary().clone())
        .unwrap();
    assert_eq!(free.targets(), pg.targets());
    assert_eq!(free.trust_levels(), pg.trust_levels());
    assert_eq!(free.node_count(), g.node_count());
    assert_ne!(
        free.targets(),
        g.targets(),
        "the scenario graph is stored in another order"
    );
    let stored = free.into_locality_order();
    assert_eq!(stored.targets(), g.targets());
    assert_eq!(stored.trust_levels(), g.trust_levels());
    assert_eq!(pg.into_locality_order(), g);
}

/// Graph statistics do not depend on the storage order: the scenario graph
/// (locality order) and the same graph in its own id order give equal
/// reports, with clustering sampled (fewer people than the graph has) and
/// trust summed per tie kind, but for the id map's memory.
#[test]
fn graph_statistics_do_not_depend_on_the_storage_order() {
    let dir = tempfile::tempdir().unwrap();
    let g = generated(dir.path()).build_graph().unwrap();
    let own = viralsim::graph::SocialGraph::from_petgraph(&g.to_petgraph(), g.vocabulary().clone())
        .unwrap();
    assert_ne!(own.targets(), g.targets(), "stored in another order");
    let (a, b) = (
        viralsim::graph::stats::compute(&g, 500),
        viralsim::graph::stats::compute(&own, 500),
    );
    assert!(!a.0.clustering.exact && a.0.reciprocity > 0.0);
    // Only the memory differs: the id map's 8 bytes per person.
    let (mut a, b) = (a, b);
    let extra = 8.0 * a.0.nodes as f64 / a.0.arcs as f64;
    assert!((a.0.bytes_per_arc - b.0.bytes_per_arc - extra).abs() < 1e-9);
    a.0.bytes_per_arc = b.0.bytes_per_arc;
    assert_eq!(a, b);
}

#[test]
fn labels_are_remapped_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("g.csv"),
        "source,target,trust,kind\nana,ben,0.9,family\nben,cho,,friend\ncho,ana,0.4,\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("people.csv"),
        "id,segment,role\nana,north,employee\ncho,south,\ndev,south,blogger\n",
    )
    .unwrap();
    let text = format!(
        "seed = 1\n[graph]\nkind = \"edge_list\"\npath = \"g.csv\"\nids = \"label\"\nattributes = \"people.csv\"\n{}",
        file_roles()
    );
    let s = Scenario::from_toml(&text, "l.toml", dir.path(), "l").unwrap();
    let g = s.build_graph().unwrap();
    assert_eq!(g.node_count(), 4); // dev only in the attribute file
    assert_eq!(g.label(0), "ana");
    assert_eq!(g.id_of("dev"), Some(3));
    assert_eq!(g.arc_count(), 6); // undirected by default
    let v = g.vocabulary();
    assert_eq!(v.segments[g.segments()[2] as usize], "south");
    assert_eq!(v.roles[g.roles()[0] as usize], "employee");
    assert_eq!(v.roles[g.roles()[3] as usize], "blogger");
    // Both arcs of ana – ben are family with the given trust.
    let ab = g.arc_range(0).find(|&a| g.targets()[a] == 1).unwrap();
    assert_eq!(v.kinds[g.kinds()[ab] as usize], "family");
    assert_eq!(g.trust_levels()[ab], viralsim::graph::trust_level(0.9));
    // ben – cho has no trust: drawn from friend's uniform [0.3, 0.9].
    let bc = g.arc_range(1).find(|&a| g.targets()[a] == 2).unwrap();
    assert!((0.3..=0.9).contains(&g.trust_at(bc)));
    // cho – ana has no kind: the rule picks one, the same for both arcs.
    let ca = g.arc_range(2).find(|&a| g.targets()[a] == 0).unwrap();
    let ac = g.arc_range(0).find(|&a| g.targets()[a] == 2).unwrap();
    assert_eq!(g.kinds()[ca], g.kinds()[ac]);
    io::write_edge_list(&g, &dir.path().join("out.txt")).unwrap();
    let out = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(out.contains("\nana ben 0.9 family\n"), "{out}");
}

#[test]
fn bad_files_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("0 1\n1 2 0.5 enemy\n", "", 2, "'enemy' is not declared"),
        ("0 1\n2 2\n", "", 2, "self-loop"),
        ("0 1\n1 0\n", "", 2, "duplicate tie"),
        ("0 1 -0.1\n", "", 1, "[0, 1]"),
        (
            "0 1\n",
            "id,segment,role\n0,west,employee\n",
            2,
            "segment 'west' is not declared",
        ),
        (
            "0 1\n",
            "id,role\n1,employee\n1,blogger\n",
            3,
            "listed twice",
        ),
        (
            "0 1\n",
            "id,role\nx,employee\n",
            2,
            "'x' is not a person id",
        ),
    ];
    for (i, (edges, nodes, line, needle)) in cases.into_iter().enumerate() {
        std::fs::write(dir.path().join(format!("e{i}.txt")), edges).unwrap();
        let attr = if nodes.is_empty() {
            String::new()
        } else {
            std::fs::write(dir.path().join(format!("n{i}.csv")), nodes).unwrap();
            format!("attributes = \"n{i}.csv\"\n")
        };
        let text = format!(
            "[graph]\nkind = \"edge_list\"\npath = \"e{i}.txt\"\nids = \"index\"\n{attr}{}",
            if nodes.lines().next().is_some_and(|h| h.contains("role")) {
                file_roles()
            } else {
                AUDIENCE.to_string()
            }
        );
        let err = Scenario::from_toml(&text, "s.toml", dir.path(), "s")
            .unwrap()
            .build_graph()
            .unwrap_err();
        let msg = err.to_string();
        let file = if nodes.is_empty() {
            format!("e{i}.txt")
        } else {
            format!("n{i}.csv")
        };
        assert!(
            msg.contains(&file) && msg.contains(&format!("line {line}")) && msg.contains(needle),
            "case {i}: {msg}"
        );
        assert!(err.is_input_error());
    }
}

fn viralsim() -> Command {
    Command::cargo_bin("viralsim").unwrap()
}

#[test]
fn cli_generate_then_stats() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("aud.toml");
    std::fs::write(
        &scen,
        format!(
            "name = \"aud\"\nseed = 2\n[graph]\nkind = \"watts_strogatz\"\nnodes = 2000\nk = 6\nrewire = 0.0\n{AUDIENCE}"
        ),
    )
    .unwrap();
    let out = dir.path().join("g");
    viralsim()
        .args(["graph", "generate"])
        .arg(&scen)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for f in ["edges.txt", "nodes.csv", "degree_distribution.png"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let head = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    assert!(head.starts_with("id,segment,role\n"));
    let json = viralsim()
        .args(["graph", "stats", "--json", "--directed", "--nodes"])
        .arg(out.join("nodes.csv"))
        .arg(out.join("edges.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["nodes"], 2000);
    assert_eq!(
        v["segments"]["north"].as_u64().unwrap() + v["segments"]["south"].as_u64().unwrap(),
        2000
    );
    assert_eq!(v["roles"]["employee"], 50);
    assert!(v["kinds"]["family"]["mean_trust"].as_f64().unwrap() > 0.6);
    assert_eq!(v["components"]["count"], 1);
    // Ring lattice k = 6 plus follower arcs: clustering still ≈ 0.6.
    assert!(v["clustering"]["mean"].as_f64().unwrap() > 0.4);
    let chart = dir.path().join("deg.png");
    viralsim()
        .args(["graph", "stats"])
        .arg(&scen)
        .arg("--chart")
        .arg(&chart)
        .assert()
        .success()
        .stdout(predicates::str::contains("homophily"));
    assert!(chart.is_file());
}

#[test]
fn cli_bad_edge_list_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.txt");
    std::fs::write(&f, "0 1\n1 2 3.0\n").unwrap();
    viralsim()
        .args(["graph", "stats"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.txt' line 2"));
}

#[test]
fn a_typo_in_an_integer_edge_list_is_an_error_not_a_silent_relabel() {
    // Default ids are 0-based integers: one bad id must not renumber everyone.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("g.txt"), "0 1\n1 2\n2 x\n").unwrap();
    let text = "seed = 1\n[graph]\nkind = \"edge_list\"\npath = \"g.txt\"\n[content]\nstickiness = 0.1\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n";
    let s = Scenario::from_toml(text, "t.toml", dir.path(), "t").unwrap();
    let err = s
        .build_graph()
        .expect_err("typo must be rejected")
        .to_string();
    assert!(err.contains("g.txt") && err.contains("line 3"), "{err}");
}

/// Network dumps as they come: a SNAP-style edge list (`#` comments, tab
/// separators) read straight from gzip (also several members), Zstandard
/// and bzip2 (also several streams) files, recognised by their first bytes, gives the same edges
/// as the plain file; a damaged compressed file is a read error naming it.
#[test]
fn compressed_edge_lists_read_as_the_plain_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "# Directed graph (each unordered pair of nodes is saved once)\n# Nodes: 300 Edges: ...\n# FromNodeId\tToNodeId\n",
    );
    for u in 0..300u32 {
        for d in [1u32, 7, 31] {
            text.push_str(&format!("{u}\t{}\n", (u + d) % 300));
        }
    }
    let plain = dir.path().join("g.txt");
    std::fs::write(&plain, &text).unwrap();
    // gzip in two members, as concatenated dumps are.
    let gz = dir.path().join("g.txt.gz");
    let (a, b) = text.split_at(text.len() / 2);
    let mut bytes = Vec::new();
    for part in [a, b] {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(part.as_bytes()).unwrap();
        bytes.extend(e.finish().unwrap());
    }
    std::fs::write(&gz, &bytes).unwrap();
    let zst = dir.path().join("g.zst");
    std::fs::write(
        &zst,
        ruzstd::encoding::compress_to_vec(
            text.as_bytes(),
            ruzstd::encoding::CompressionLevel::Fastest,
        ),
    )
    .unwrap();
    // bzip2 in two streams, as pbzip2 writes them.
    let bz = dir.path().join("g.txt.bz2");
    let mut bz_bytes = Vec::new();
    for part in [a, b] {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(part.as_bytes()).unwrap();
        bz_bytes.extend(e.finish().unwrap());
    }
    std::fs::write(&bz, &bz_bytes).unwrap();
    // A compressed file under a plain name is still recognised.
    let disguised = dir.path().join("dump.txt");
    std::fs::copy(&gz, &disguised).unwrap();
    let opts = io::EdgeListOptions::new(true);
    let want = io::read_edge_list_with(&plain, &opts).unwrap();
    assert_eq!(want.arcs.len(), 900);
    for p in [&gz, &zst, &bz, &disguised] {
        let got = io::read_edge_list_with(p, &opts).unwrap();
        assert_eq!(got.nodes, want.nodes, "{}", p.display());
        // Missing trust is NaN: compare bit patterns.
        let bits = |e: &io::EdgeList| -> Vec<(u32, u32, u32, u8)> {
            e.arcs
                .iter()
                .map(|&(u, v, t, k)| (u, v, t.to_bits(), k))
                .collect()
        };
        assert!(
            bits(&got) == bits(&want),
            "{} reads other arcs",
            p.display()
        );
    }
    // The command line reads it too, with the same statistics.
    let stats = |p: &Path| {
        let out = viralsim()
            .args(["graph", "stats", "--json", "--directed"])
            .arg(p)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    assert_eq!(stats(&plain), stats(&gz));
    assert_eq!(stats(&plain), stats(&bz));
    // Damaged: a gzip header, then garbage; a truncated Zstandard frame.
    let bad = dir.path().join("bad.gz");
    let mut b = bytes[..20].to_vec();
    b.extend([0xffu8; 64]);
    std::fs::write(&bad, &b).unwrap();
    let e = io::read_edge_list_with(&bad, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad.gz"), "{e}");
    let cut = dir.path().join("cut.zst");
    let z = std::fs::read(&zst).unwrap();
    std::fs::write(&cut, &z[..z.len() / 2]).unwrap();
    let e = io::read_edge_list_with(&cut, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cut.zst"), "{e}");
    let cut = dir.path().join("cut.bz2");
    std::fs::write(&cut, &bz_bytes[..bz_bytes.len() / 3]).unwrap();
    let e = io::read_edge_list_with(&cut, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cut.bz2"), "{e}");
    viralsim()
        .args(["graph", "stats", "--directed"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.gz"));
}

/// The chunked reader against the line-by-line one: the same edge list, or
/// the same error (message and line), on `text` as given and from a file
/// (plain and gzip), at chunk sizes that put line breaks everywhere.
fn chunked_as_serial(text: &str, opts: &io::EdgeListOptions, chunks: &[usize]) {
    use std::io::Write;
    let want = outcome(io::parse_edge_list_serial(text, opts, "e.txt"));
    for &c in chunks {
        let got = outcome(io::parse_edge_list_chunked(text, opts, "e.txt", c));
        assert_eq!(got, want, "text, chunks of {c} bytes, {opts:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("e.txt");
    std::fs::write(&plain, text).unwrap();
    let gz = dir.path().join("e.txt.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    for p in [&plain, &gz] {
        let want = outcome(io::read_edge_list_serial(p, opts));
        for &c in chunks {
            let got = outcome(io::read_edge_list_chunked(p, opts, c));
            assert_eq!(got, want, "{}, chunks of {c} bytes, {opts:?}", p.display());
        }
    }
}

/// An edge list or an error, comparable (trust as bits: missing is NaN).
#[derive(Debug, PartialEq)]
enum Outcome {
    Read {
        nodes: usize,
        arcs: Vec<(u32, u32, u32, u8)>,
        labels: Option<Vec<String>>,
        kinds: Vec<String>,
        directed: bool,
    },
    Failed(Option<usize>, String),
}

fn outcome(r: viralsim::error::Result<io::EdgeList>) -> Outcome {
    match r {
        Ok(e) => Outcome::Read {
            nodes: e.nodes,
            arcs: e
                .arcs
                .iter()
                .map(|&(u, v, t, k)| (u, v, t.to_bits(), k))
                .collect(),
            labels: e.labels,
            kinds: e.kinds,
            directed: e.directed,
        },
        Err(e) => {
            let line = match &e {
                viralsim::error::Error::EdgeList { line, .. } => Some(*line),
                _ => None,
            };
            // Files are named by path: keep the part after it.
            let s = e.to_string();
            let msg = s
                .rsplit_once("e.txt")
                .map_or(s.clone(), |x| x.1.to_string());
            Outcome::Failed(line, msg)
        }
    }
}

/// A deterministic sequence for generated files.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `n` distinct ties among `people` people as numeric lines in one of
/// several styles: separators, trust and kind columns, comments, blank
/// lines, line endings.
fn numeric_lines(n: usize, people: u64, style: u64, seed: u64) -> Vec<String> {
    let mut r = Lcg(seed);
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    while lines.len() < n {
        let (u, v) = (r.next(people), r.next(people));
        if u == v || !seen.insert((u.min(v), u.max(v))) {
            continue;
        }
        let sep = match style % 3 {
            0 => " ".to_string(),
            1 => "\t".to_string(),
            _ => [" ", "\t", "  ", " \t "][r.next(4) as usize].to_string(),
        };
        let trust = match r.next(6) {
            0 => "1".to_string(),
            1 => "0".to_string(),
            2 => format!("0.{}", r.next(1000)),
            3 => format!("{}", r.next(1 << 24) as f32 / (1u32 << 24) as f32),
            4 => format!(".{:03}", r.next(1000)),
            _ => format!("0.{:018}", r.next(u64::MAX >> 4)),
        };
        let kind = ["friend", "family", "colleague"][r.next(3) as usize];
        let mut l = match style % 4 {
            0 => format!("{u}{sep}{v}"),
            1 => format!("{u}{sep}{v}{sep}{trust}"),
            2 => format!("{u}{sep}{v}{sep}{trust}{sep}{kind}"),
            _ => match r.next(3) {
                0 => format!("{u}{sep}{v}"),
                1 => format!("{u},{v},{trust}"),
                _ => format!(" {u} ,{v},, {kind} "),
            },
        };
        if r.next(10) == 0 {
            l.push_str(" # a comment, with a comma");
        }
        lines.push(l);
        match r.next(20) {
            0 => lines.push(String::new()),
            1 => lines.push("# comment line".into()),
            2 => lines.push("   \t".into()),
            _ => {}
        }
    }
    lines
}

#[test]
fn chunked_reading_gives_the_line_by_line_edge_list() {
    let chunks = [1, 2, 3, 5, 8, 13, 64, 1000, 1 << 20];
    for style in 0..8u64 {
        let lines = numeric_lines(300, 120, style, style + 1);
        let mut texts = vec![lines.join("\n"), lines.join("\n") + "\n"];
        texts.push(lines.join("\r\n") + "\r\n");
        texts.push(format!(
            "# SNAP-style\n# FromNodeId\tToNodeId\n\n{}",
            lines.join("\n")
        ));
        texts.push(format!("\u{feff}{}", lines.join("\n")));
        for text in &texts {
            for directed in [true, false] {
                for ids in [io::IdMode::Index, io::IdMode::Auto] {
                    let opts = io::EdgeListOptions {
                        ids,
                        ..io::EdgeListOptions::new(directed)
                    };
                    chunked_as_serial(text, &opts, &chunks);
                }
            }
        }
    }
    // Headers set the columns; declared kinds; labels (read line by line).
    let lines = numeric_lines(200, 80, 2, 9);
    let body = lines.join("\n");
    let declared = io::EdgeListOptions {
        kinds: io::Names::fixed(vec!["family".into(), "friend".into(), "colleague".into()]),
        ..io::EdgeListOptions::new(true)
    };
    chunked_as_serial(&format!("u v trust kind\n{body}"), &declared, &chunks);
    let two = lines
        .iter()
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    chunked_as_serial(&format!("source target\n{two}"), &declared, &chunks);
    let kind_first = lines
        .iter()
        .map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [u, v, t, k] => format!("{u},{v},{k},{t}"),
            _ => l.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    chunked_as_serial(
        &format!("# header next\nsrc,dst,kind,trust\n{kind_first}"),
        &io::EdgeListOptions::new(false),
        &chunks,
    );
    let label = io::EdgeListOptions {
        ids: io::IdMode::Label,
        ..io::EdgeListOptions::new(true)
    };
    chunked_as_serial(&body, &label, &[1, 7, 100]);
    // Auto mode turns to labels in a late chunk: ids before are renumbered.
    let mut auto = lines.clone();
    auto.insert(150, "alice 3".into());
    let auto_opts = io::EdgeListOptions {
        ids: io::IdMode::Auto,
        ..io::EdgeListOptions::new(true)
    };
    chunked_as_serial(&auto.join("\n"), &auto_opts, &[1, 7, 100, 1 << 20]);
    // Lines the fast path leaves to the line-by-line parser, among others.
    let mut odd = numeric_lines(100, 50, 1, 3);
    for (i, l) in [
        "+7 8",
        "007 9 0.5",
        "10 11 1e-1",
        "12 13 0.5 close\u{a0}friend",
        "14\u{3000}15",
        "16 17 # ünïcode comment",
        "18 19 0.50000000000000000000000001",
        "20 21 5.",
        "4294967293 3",
    ]
    .into_iter()
    .enumerate()
    {
        odd.insert(10 * i + 5, l.to_string());
    }
    chunked_as_serial(&odd.join("\n"), &io::EdgeListOptions::new(true), &chunks);
}

#[test]
fn chunked_reading_gives_the_first_error_by_line() {
    let lines = numeric_lines(20_000, 5000, 1, 42);
    let chunks = [64, 4096, 1 << 20];
    let opts = io::EdgeListOptions::new(true);
    let cases: [(usize, &str); 10] = [
        (19_000, "12 12 0.5"),
        (19_000, "12 13 1.5"),
        (19_000, "12 x"),
        (19_000, "12"),
        (19_000, "12 13 0.5 friend extra"),
        (19_000, "-12 13"),
        (19_000, "12 13 nan"),
        (19_000, "12 13 0.5 frïend"),
        (19_000, "4294967295 1"),
        (19_000, "12,,0.5"),
    ];
    for (at, bad) in cases {
        let mut l = lines.clone();
        l.insert(at, bad.to_string());
        let text = l.join("\n");
        chunked_as_serial(&text, &opts, &chunks);
        // A second error later: the first by line wins.
        l.insert(at + 500, "1 1".to_string());
        chunked_as_serial(&l.join("\n"), &opts, &chunks);
    }
    // A duplicate of an early tie late in the file (enough rows for the
    // sort by source).
    let big = numeric_lines(40_000, 9000, 0, 11);
    let mut l = big.clone();
    l.push(big[3].clone());
    chunked_as_serial(&l.join("\n"), &opts, &chunks);
    chunked_as_serial(&l.join("\n"), &io::EdgeListOptions::new(false), &chunks);
    // An undeclared kind late, with declared kinds.
    let mut l = numeric_lines(5000, 900, 2, 5);
    l.insert(4500, "1 2 0.5 enemy".into());
    let declared = io::EdgeListOptions {
        kinds: io::Names::fixed(vec!["family".into(), "friend".into(), "colleague".into()]),
        ..io::EdgeListOptions::new(true)
    };
    chunked_as_serial(&l.join("\n"), &declared, &chunks);
}

/// Bytes a text cannot hold: a line longer than lines may be, and lines
/// that are not UTF-8, in a late chunk.
#[test]
fn chunked_file_reading_gives_the_first_error_on_raw_bytes() {
    let lines = numeric_lines(5000, 900, 0, 8);
    let opts = io::EdgeListOptions::new(true);
    let dir = tempfile::tempdir().unwrap();
    let long = format!("1 2 {}", " ".repeat(70_000));
    let cases: [(&str, Vec<u8>); 4] = [
        ("long", long.into_bytes()),
        ("latin1", b"1 2 # caf\xe9".to_vec()),
        ("latin1 id", b"1\xe9 2".to_vec()),
        ("nul", b"1 2\0".to_vec()),
    ];
    for (what, bad) in cases {
        let mut bytes = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if i == 4000 {
                bytes.extend(&bad);
                bytes.push(b'\n');
            }
            bytes.extend(l.as_bytes());
            bytes.push(b'\n');
        }
        let p = dir.path().join("e.txt");
        std::fs::write(&p, &bytes).unwrap();
        let want = outcome(io::read_edge_list_serial(&p, &opts));
        assert!(
            matches!(want, Outcome::Failed(Some(4001), _)),
            "{what}: {want:?}"
        );
        for c in [1, 100, 4096, 1 << 20] {
            let got = outcome(io::read_edge_list_chunked(&p, &opts, c));
            assert_eq!(got, want, "{what}, chunks of {c} bytes");
        }
    }
}

/// One thread or two: the same edge list and the same errors.
#[test]
fn chunked_reading_does_not_depend_on_the_thread_count() {
    let lines = numeric_lines(40_000, 8000, 3, 77);
    let good = lines.join("\n");
    let mut bad = lines.clone();
    bad.insert(25_000, "5 5".into());
    bad.insert(37_000, "5 x".into());
    let bad = bad.join("\n");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("e.txt");
    std::fs::write(&p, &good).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut v = Vec::new();
            for directed in [true, false] {
                let opts = io::EdgeListOptions::new(directed);
                for c in [100, 5000, 1 << 20] {
                    v.push(outcome(io::parse_edge_list_chunked(
                        &good, &opts, "e.txt", c,
                    )));
                    v.push(outcome(io::parse_edge_list_chunked(
                        &bad, &opts, "e.txt", c,
                    )));
                    v.push(outcome(io::read_edge_list_chunked(&p, &opts, c)));
                }
            }
            v
        })
    };
    let one = run(1);
    assert!(matches!(one[0], Outcome::Read { .. }));
    assert!(
        matches!(one[1], Outcome::Failed(Some(25_001), _)),
        "{:?}",
        one[1]
    );
    assert_eq!(one, run(2));
}

/// The fast path for `u v` and `u v trust` lines (eight-byte loads, no
/// loop) against the line-by-line reader: the shapes it takes, the near
/// misses it leaves to the general path, and trust written in every way,
/// rounded to the same `f32` bit for bit.
#[test]
fn quick_lines_read_as_the_line_by_line_reader() {
    let mut r = Lcg(2024);
    let mut lines = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut pair = |r: &mut Lcg, people: u64| loop {
        let (u, v) = (r.next(people), r.next(people));
        if u != v && seen.insert((u, v)) {
            return (u, v);
        }
    };
    for i in 0..6000u64 {
        let (u, v) = pair(&mut r, if i % 7 == 0 { 99_999_999 } else { 5000 });
        let f = f32::from_bits(r.next(1 << 30) as u32 % 0x3f80_0001);
        let trust = match i % 12 {
            // The shortest decimal of an f32, as viralsim writes it.
            0..=3 => format!("{f}"),
            4 => format!("{:.1$}", f, (r.next(17) + 1) as usize),
            5 => ["0", "1", "0.", "1.", ".5", "1.0", "0.0000000000000001"][r.next(7) as usize]
                .to_string(),
            6 => format!("{}e-{}", r.next(10), r.next(3) + 1),
            7 => format!("0.{}", r.next(u64::MAX >> 8)),
            8 => format!("{}", r.next(1 << 24) as f64 / (1u64 << 24) as f64),
            9 => format!("0.{:0>9}", r.next(1_000_000_000)),
            10 => format!("{:.9}", f as f64),
            _ => format!("{f:e}"),
        };
        let sep = ["\t", " ", " ", " ", "  "][r.next(5) as usize];
        let mut l = match r.next(10) {
            0 => format!("{u}{sep}{v}"),
            1 => format!("+{u} {v} {trust}"),
            2 => format!("{u} {v} {trust} # c"),
            3 => format!("{u} {v} {trust} "),
            4 => format!("{u:08} {v} {trust}"),
            _ => format!("{u}{sep}{v}{sep}{trust}"),
        };
        if r.next(30) == 0 {
            l.push('\r');
        }
        lines.push(l);
        if r.next(200) == 0 {
            lines.push(format!("# {}", "long comment ".repeat(500)));
        }
    }
    let opts = io::EdgeListOptions::new(true);
    let chunks = [100, 4096, 1 << 20];
    let text = lines.join("\n");
    let read = outcome(io::parse_edge_list_serial(&text, &opts, "e.txt"));
    assert!(matches!(read, Outcome::Read { .. }), "{read:?}");
    chunked_as_serial(&text, &opts, &chunks);
    chunked_as_serial(&(text.clone() + "\n"), &opts, &chunks);
    chunked_as_serial(&lines.join("\r\n"), &opts, &chunks);
    chunked_as_serial(&text, &io::EdgeListOptions::new(false), &chunks);
    // Declared columns: without trust, or trust not third.
    let two: Vec<String> = lines
        .iter()
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    chunked_as_serial(&format!("u v\n{}", two.join("\n")), &opts, &chunks);
    chunked_as_serial(&format!("u v\n{text}"), &opts, &chunks);
    chunked_as_serial(&format!("u v kind trust\n{text}"), &opts, &chunks);
    // Errors among quick lines, late in the file: the first by line.
    for bad in [
        "12 12 0.5",
        "12 13 1.0000001",
        "12 13 1.5",
        "12 13 2",
        "12 13 0.5.5",
        "12 13 -0.5",
        "12 13\t\t",
        "12",
        "12 x 0.5",
        "12 13 0.5 friend extra",
        &lines[40].clone(),
    ] {
        let mut l = lines.clone();
        l.insert(5000, bad.to_string());
        chunked_as_serial(&l.join("\n"), &opts, &chunks);
    }
}
