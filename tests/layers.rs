//! Layered audiences: household sizes against their distribution, every
//! household a clique, the brand's workplace, workplace sizes and density,
//! ring clustering in closed form, layer order deciding a pair's kind,
//! thread-count independence, and bad layer input named by key.

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use viralsim::graph::layers::layer_stats;
use viralsim::graph::stats;
use viralsim::graph::{SocialGraph, layer_ties};
use viralsim::scenario::Scenario;

fn scenario(seed: u64, nodes: usize, audience: &str) -> Scenario {
    let text = format!(
        "seed = {seed}\ntrials = 10\n[graph]\nkind = \"layered\"\nnodes = {nodes}\n{audience}\n[content]\nstickiness = 0.05\n[seeding]\nstrategy = \"random\"\ncount = 1\n"
    );
    Scenario::from_toml(&text, "layers.toml", Path::new("."), "layers").unwrap()
}

fn scenario_err(audience: &str) -> String {
    let text = format!(
        "[graph]\nkind = \"layered\"\nnodes = 1000\n{audience}\n[content]\nstickiness = 0.05\n[seeding]\nstrategy = \"random\"\ncount = 1\n"
    );
    Scenario::from_toml(&text, "bad.toml", Path::new("."), "bad")
        .unwrap_err()
        .to_string()
}

fn kind_id(g: &SocialGraph, name: &str) -> u8 {
    g.vocabulary().kinds.iter().position(|k| k == name).unwrap() as u8
}

/// Each person's neighbours over arcs of `kind`.
fn neighbours(g: &SocialGraph, u: u32, kind: u8) -> BTreeSet<u32> {
    g.arc_range(u)
        .filter(|&a| g.kinds()[a] == kind)
        .map(|a| g.targets()[a])
        .collect()
}

const SIZES: [f64; 6] = [0.1, 0.2, 0.3, 0.2, 0.15, 0.05];

#[test]
fn household_sizes_follow_their_distribution_and_every_household_is_a_clique() {
    // χ² of household sizes over many seeds; every household a clique.
    let mut chi2_over = 0;
    let seeds = 20;
    for seed in 0..seeds {
        let s = scenario(
            seed,
            6000,
            &format!("[[audience.layers]]\nkind = \"household\"\nsizes = {SIZES:?}\n"),
        );
        let lt = layer_ties(&s.graph, &s.audience, s.seed).unwrap().unwrap();
        let sizes = &lt.group_sizes[0];
        // The last household may be cut short by running out of people.
        let full = &sizes[..sizes.len() - 1];
        let mut count = [0f64; 6];
        for &z in full {
            count[z as usize - 1] += 1.0;
        }
        let n = full.len() as f64;
        let chi2: f64 = count
            .iter()
            .zip(SIZES)
            .map(|(&o, p)| (o - n * p).powi(2) / (n * p))
            .sum();
        // 5 degrees of freedom: P(χ² > 15.09) = 0.01.
        if chi2 > 15.09 {
            chi2_over += 1;
        }
        assert_eq!(sizes.iter().map(|&z| z as u64).sum::<u64>(), 6000);
        let g = s.build_graph().unwrap();
        let fam = kind_id(&g, "family");
        // Households are the components of the family ties, and cliques.
        let mut seen = vec![false; g.node_count()];
        let mut found: Vec<u32> = Vec::new();
        for u in 0..g.node_count() as u32 {
            if seen[u as usize] {
                continue;
            }
            let mut house = neighbours(&g, u, fam);
            house.insert(u);
            for &v in &house {
                let mut other = neighbours(&g, v, fam);
                other.insert(v);
                assert_eq!(other, house, "household of {u} is not a clique");
                seen[v as usize] = true;
            }
            found.push(house.len() as u32);
        }
        let mut a = found.clone();
        let mut b = sizes.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "household sizes in the graph");
    }
    // At the 1% level, more than 3 of 20 rejections is itself a 0.1% event.
    assert!(
        chi2_over <= 3,
        "{chi2_over} of {seeds} seeds reject the size distribution"
    );
}

#[test]
fn a_clique_layer_has_clustering_one_and_a_ring_its_closed_form() {
    let s = scenario(
        1,
        5000,
        "[[audience.layers]]\nkind = \"household\"\nsizes = [0, 0, 0, 0, 1]\n\
         [[audience.layers]]\nkind = \"friends\"\nk = 6\nrewire = 0\n",
    );
    let g = s.build_graph().unwrap();
    let fam = stats::clustering_of(&g, usize::MAX, Some(kind_id(&g, "family")));
    assert_eq!(fam.mean, 1.0);
    // The ring alone (above, pairs already in a household keep kind family).
    let s = scenario(
        1,
        5000,
        "[[audience.layers]]\nkind = \"friends\"\nk = 6\nrewire = 0\n",
    );
    let g = s.build_graph().unwrap();
    // A ring lattice with k neighbours: 3(k − 2) / (4(k − 1)) = 0.6 for k = 6.
    let fr = stats::clustering_of(&g, usize::MAX, Some(kind_id(&g, "friend")));
    assert!((fr.mean - 0.6).abs() < 1e-12, "{}", fr.mean);
    // With rewiring, clustering falls (Watts–Strogatz: ≈ 0.6 (1 − p)³).
    let s = scenario(
        1,
        5000,
        "[[audience.layers]]\nkind = \"friends\"\nk = 6\nrewire = 0.2\nhomophily = 0\n",
    );
    let g = s.build_graph().unwrap();
    let fr = stats::clustering_of(&g, usize::MAX, Some(kind_id(&g, "friend")));
    let ws = 0.6 * 0.8f64.powi(3);
    assert!((fr.mean - ws).abs() < 0.03, "{} vs {ws}", fr.mean);
}

#[test]
fn the_brands_employees_are_its_workplace_and_workplaces_match_their_parameters() {
    let audience = r#"
[audience]
segments = [{ name = "young", share = 0.4 }, { name = "old", share = 0.6 }]
[[audience.roles]]
name = "employee"
count = 40
[[audience.layers]]
kind = "workplace"
employed = { young = 0.5, old = 0.8 }
min_size = 2
max_size = 300
exponent = 2.0
contacts = 8
"#;
    let s = scenario(5, 40000, audience);
    let lt = layer_ties(&s.graph, &s.audience, s.seed).unwrap().unwrap();
    let g = s.build_graph().unwrap();
    let col = kind_id(&g, "colleague");
    let employee = g
        .vocabulary()
        .roles
        .iter()
        .position(|r| r == "employee")
        .unwrap() as u8;
    // The brand's workplace comes first: its 40 employees, whose colleagues
    // are employees only, each with about 8 of the 39 others.
    let sizes = &lt.group_sizes[0];
    assert_eq!(sizes[0], 40);
    let staff: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&u| g.roles()[u as usize] == employee)
        .collect();
    let mut brand_ties = 0;
    for &u in &staff {
        for v in neighbours(&g, u, col) {
            assert_eq!(
                g.roles()[v as usize],
                employee,
                "an employee's colleague outside the brand"
            );
            brand_ties += 1;
        }
    }
    let p = 8.0 / 39.0;
    let pairs = 40.0 * 39.0 / 2.0;
    let z = (brand_ties as f64 / 2.0 - pairs * p) / (pairs * p * (1.0 - p)).sqrt();
    assert!(z.abs() < 4.0, "brand workplace ties z = {z}");
    // Employed shares: the 39,960 others work with probability 0.5 or 0.8.
    let workers: u64 = sizes[1..].iter().map(|&z| z as u64).sum();
    let segs = g.segments();
    let (mut mean, mut var) = (0.0, 0.0);
    for (u, &seg) in segs.iter().enumerate() {
        if g.roles()[u] != employee {
            let e = if seg == 0 { 0.5 } else { 0.8 };
            mean += e;
            var += e * (1.0 - e);
        }
    }
    let z = (workers as f64 - mean) / var.sqrt();
    assert!(z.abs() < 4.0, "workers {workers} vs {mean}: z = {z}");
    // Sizes: a power law with exponent 2 on 2..=300 (the last one cut short).
    let w: Vec<f64> = (2..=300).map(|s| (s as f64).powf(-2.0)).collect();
    let tot: f64 = w.iter().sum();
    let mu: f64 = (2..=300).zip(&w).map(|(s, p)| s as f64 * p / tot).sum();
    let var_s: f64 = (2..=300)
        .zip(&w)
        .map(|(s, p)| (s as f64 - mu).powi(2) * p / tot)
        .sum();
    let full = &sizes[1..sizes.len() - 1];
    let m = full.iter().map(|&z| z as f64).sum::<f64>() / full.len() as f64;
    let z = (m - mu) / (var_s / full.len() as f64).sqrt();
    assert!(z.abs() < 4.0, "mean workplace size {m} vs {mu}: z = {z}");
    // Density inside workplaces: each pair tied with min(1, 8 / (s − 1)).
    let (mut e, mut v) = (0.0, 0.0);
    for &s in sizes.iter() {
        let s = s as f64;
        let p = (8.0 / (s - 1.0)).min(1.0);
        let pairs = s * (s - 1.0) / 2.0;
        e += pairs * p;
        v += pairs * p * (1.0 - p);
    }
    let z = (lt.per_layer[0] as f64 - e) / v.max(1.0).sqrt();
    assert!(
        z.abs() < 4.0,
        "workplace ties {} vs {e}: z = {z}",
        lt.per_layer[0]
    );
}

#[test]
fn a_pair_tied_in_two_layers_keeps_one_arc_each_way_with_the_first_layers_kind() {
    // Households and large-contact workplaces overlap; the graph holds each
    // pair once, of the first layer's kind.
    let s = scenario(
        9,
        3000,
        "[[audience.layers]]\nkind = \"household\"\n\
         [[audience.layers]]\nkind = \"workplace\"\nemployed = 1.0\nmax_size = 20\ncontacts = 30\n\
         [[audience.layers]]\nkind = \"friends\"\nk = 4\nrewire = 0.5\n",
    );
    let lt = layer_ties(&s.graph, &s.audience, s.seed).unwrap().unwrap();
    let g = s.build_graph().unwrap();
    let names: Vec<String> = g.vocabulary().kinds.clone();
    let st = layer_stats(
        match &s.graph {
            viralsim::graph::GraphSpec::Layered { layers, .. } => layers,
            _ => unreachable!(),
        },
        &lt,
        &names,
    );
    // Independent count of distinct pairs and of each pair's first layer.
    let mut first: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    let mut at = 0;
    for (i, &made) in lt.per_layer.iter().enumerate() {
        for &(u, v) in &lt.ties[at..at + made as usize] {
            first.entry((u.min(v), u.max(v))).or_insert(i);
        }
        at += made as usize;
    }
    assert_eq!(g.arc_count(), 2 * first.len());
    let mut per_kind = [0usize; 3];
    for &i in first.values() {
        per_kind[i] += 1;
    }
    for (i, l) in st.iter().enumerate() {
        let k = kind_id(&g, &l.tie_kind) as usize;
        let arcs = g.kinds().iter().filter(|&&x| x as usize == k).count();
        assert_eq!(arcs, 2 * per_kind[i], "{}", l.layer);
        let overlap: u64 = l.overlap.values().sum();
        assert_eq!(l.ties - overlap, per_kind[i] as u64, "{}", l.layer);
    }
    assert!(
        st[1].overlap.get("family").copied().unwrap_or(0) > 0,
        "households and workplaces overlap"
    );
}

#[test]
fn bad_layers_are_named_by_key() {
    let cases = [
        (
            "[[audience.layers]]\nkind = \"houses\"\n",
            "[audience].layers[0].kind",
        ),
        (
            "[[audience.layers]]\nkind = \"household\"\nsize = [1.0]\n",
            "unknown key 'size'",
        ),
        (
            "[[audience.layers]]\nkind = \"household\"\nsizes = [0.5, 0.6]\n",
            "[audience].layers[0].sizes",
        ),
        (
            "[[audience.layers]]\nkind = \"friends\"\nk = 5\n",
            "[audience].layers[0].k = 5 must be even",
        ),
        (
            "[[audience.layers]]\nkind = \"friends\"\nrewire = 1.5\n",
            "[audience].layers[0].rewire = 1.5",
        ),
        (
            "[[audience.layers]]\nkind = \"workplace\"\nmin_size = 10\nmax_size = 5\n",
            "max_size = 5 is below min_size = 10",
        ),
        (
            "[[audience.layers]]\nkind = \"workplace\"\nbrand_role = \"staff\"\n",
            "brand_role = \"staff\" is not a declared role",
        ),
        (
            "[[audience.layers]]\nkind = \"barabasi_albert\"\nm = 2\n",
            "needs tie_kind",
        ),
        (
            "[[audience.layers]]\nkind = \"household\"\n[[audience.layers]]\nkind = \"community\"\ntie_kind = \"family\"\n",
            "already the kind of an earlier layer",
        ),
        (
            "[[audience.tie_kinds]]\nname = \"family\"\nwithin = 2.0\n[[audience.layers]]\nkind = \"household\"\n",
            "a tie's kind is its layer",
        ),
    ];
    for (audience, want) in cases {
        let e = scenario_err(audience);
        assert!(
            e.contains("bad.toml") && e.contains(want),
            "{audience}: {e}"
        );
    }
    // Layers need a layered graph, and a layered graph needs layers.
    let text = "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.layers]]\nkind = \"household\"\n[content]\nstickiness = 0.05\n[seeding]\nstrategy = \"random\"\ncount = 1\n";
    let e = Scenario::from_toml(text, "bad.toml", Path::new("."), "bad")
        .unwrap_err()
        .to_string();
    assert!(e.contains("kind = \"layered\""), "{e}");
    let e = scenario_err("");
    assert!(e.contains("needs [[audience.layers]]"), "{e}");
}

#[test]
fn the_layered_example_is_the_same_bytes_for_one_and_two_threads_and_stats_show_its_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(threads);
        Command::new(env!("CARGO_BIN_EXE_viralsim"))
            .args([
                "run",
                "scenarios/households.toml",
                "--trials",
                "200",
                "--quiet",
                "--no-charts",
            ])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        outs.push(out);
    }
    for f in ["summary.json", "trials.csv", "timeseries.csv"] {
        assert_eq!(
            std::fs::read(outs[0].join(f)).unwrap(),
            std::fs::read(outs[1].join(f)).unwrap(),
            "{f}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_viralsim"))
        .args(["graph", "stats", "scenarios/households.toml", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers[0]["layer"], "household");
    assert_eq!(
        layers[0]["ties"], layers[0]["groups"]["clique_ties"],
        "households are cliques"
    );
    assert_eq!(layers[1]["layer"], "workplace");
    let fam = v["kinds"]["family"]["clustering"]["mean"].as_f64().unwrap();
    assert!(fam > 0.7, "family clustering {fam}");
    let c = v["clustering"]["mean"].as_f64().unwrap();
    assert!((0.1..0.6).contains(&c), "whole-graph clustering {c}");
}
