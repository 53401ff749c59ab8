//! People and ties from scenarios: segment and role shares, the tie-kind
//! rule, trust per kind, the follower layer.

use std::path::Path;
use viralsim::graph::SocialGraph;
use viralsim::graph::stats;
use viralsim::scenario::Scenario;

fn scenario(graph_and_audience: &str) -> Scenario {
    let text = format!(
        "seed = 3\ntrials = 10\n{graph_and_audience}\n[content]\nstickiness = 0.05\n[seeding]\nstrategy = \"random\"\ncount = 1\n"
    );
    Scenario::from_toml(&text, "test.toml", Path::new("."), "test").unwrap()
}

fn scenario_err(graph_and_audience: &str) -> String {
    let text = format!(
        "{graph_and_audience}\n[content]\nstickiness = 0.05\n[seeding]\nstrategy = \"random\"\ncount = 1\n"
    );
    Scenario::from_toml(&text, "bad.toml", Path::new("."), "bad")
        .unwrap_err()
        .to_string()
}

const AUDIENCE: &str = r#"
[graph]
kind = "stochastic_block"
nodes = 200000
mean_degree = 8
homophily = 0.7

[audience]
segments = [{ name = "a", share = 0.5 }, { name = "b", share = 0.3 }, { name = "c", share = 0.2 }]

[[audience.roles]]
name = "employee"
count = 2000
[[audience.roles]]
name = "customer"
segment_shares = { a = 0.1, b = 0.2 }
[[audience.roles]]
name = "blogger"
share = 0.001
followers = 300

[[audience.tie_kinds]]
name = "family"
within = 0.3
between = 0.1
trust = { distribution = "beta", alpha = 8.0, beta = 2.0 }
[[audience.tie_kinds]]
name = "friend"
within = 0.7
between = 0.9
trust = { distribution = "uniform", low = 0.2, high = 0.8 }
[[audience.tie_kinds]]
name = "colleague"
roles = ["employee"]
within = 3.0
between = 3.0
trust = { distribution = "fixed", value = 0.6 }
[[audience.tie_kinds]]
name = "follower"
trust = { distribution = "beta", alpha = 1.0, beta = 4.0 }
"#;

fn count(g: &SocialGraph, f: impl Fn(usize) -> bool) -> f64 {
    (0..g.node_count()).filter(|&u| f(u)).count() as f64
}

fn role_id(g: &SocialGraph, name: &str) -> u8 {
    g.vocabulary().roles.iter().position(|r| r == name).unwrap() as u8
}

fn kind_id(g: &SocialGraph, name: &str) -> u8 {
    g.vocabulary().kinds.iter().position(|r| r == name).unwrap() as u8
}

#[test]
fn segment_and_role_shares_match() {
    let s = scenario(AUDIENCE);
    let g = s.build_graph().unwrap();
    let n = g.node_count() as f64;
    let seg = g.segments();
    let role = g.roles();
    for (i, share) in [0.5, 0.3, 0.2].into_iter().enumerate() {
        let got = count(&g, |u| seg[u] as usize == i);
        let sd = (n * share * (1.0 - share)).sqrt();
        assert!((got - n * share).abs() < 5.0 * sd, "segment {i}: {got}");
    }
    // Counted roles are exact.
    assert_eq!(count(&g, |u| role[u] == role_id(&g, "employee")), 2000.0);
    // Shared roles: per segment, among the people of that segment; counted
    // roles were taken uniformly from the rest, so the expected count of
    // customers in segment s is n_s · share_s.
    let cust = role_id(&g, "customer");
    for (i, share) in [0.1, 0.2, 0.0].into_iter().enumerate() {
        let ns = count(&g, |u| seg[u] as usize == i);
        let got = count(&g, |u| seg[u] as usize == i && role[u] == cust);
        let sd = (ns * share * (1.0 - share)).sqrt().max(1.0);
        assert!(
            (got - ns * share).abs() < 5.0 * sd,
            "customers in {i}: {got} of {ns}"
        );
    }
    let blog = role_id(&g, "blogger");
    let got = count(&g, |u| role[u] == blog);
    assert!(
        (got - n * 0.001).abs() < 5.0 * (n * 0.001).sqrt(),
        "{got} bloggers"
    );
}

#[test]
fn trust_means_per_kind_match_their_distributions() {
    let s = scenario(AUDIENCE);
    let g = s.build_graph().unwrap();
    let (st, _, _) = stats::compute(&g, 1000);
    // (kind, mean, variance) of the configured distributions.
    let beta = |a: f64, b: f64| (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
    for (name, (mean, var)) in [
        ("family", beta(8.0, 2.0)),
        ("friend", (0.5, 0.36 / 12.0)),
        ("colleague", (0.6, 0.0)),
        ("follower", beta(1.0, 4.0)),
    ] {
        let k = &st.kinds[name];
        assert!(k.arcs > 0, "{name} has no arcs");
        let se = (var / k.arcs as f64).sqrt();
        let got = k.mean_trust.unwrap();
        // f32 storage rounds each value by < 1e-7.
        assert!(
            (got - mean).abs() < 5.0 * se + 1e-6,
            "{name}: mean trust {got}, expected {mean} ± {se}"
        );
    }
}

#[test]
fn tie_kinds_follow_the_rule() {
    let s = scenario(AUDIENCE);
    let g = s.build_graph().unwrap();
    let (seg, role) = (g.segments(), g.roles());
    let (fam, fri, col, fol) = (
        kind_id(&g, "family"),
        kind_id(&g, "friend"),
        kind_id(&g, "colleague"),
        kind_id(&g, "follower"),
    );
    let emp = role_id(&g, "employee");
    let blog = role_id(&g, "blogger");
    let mut within = [0f64; 2]; // family, family+friend among non-employee pairs
    let mut between = [0f64; 2];
    for u in 0..g.node_count() as u32 {
        for a in g.arc_range(u) {
            let v = g.targets()[a];
            let k = g.kinds()[a];
            let both_emp = role[u as usize] == emp && role[v as usize] == emp;
            if k == col {
                assert!(both_emp, "colleague tie {u} -> {v} between non-employees");
            }
            if k == fol {
                assert_eq!(role[u as usize], blog, "follower arc from a non-blogger");
                continue;
            }
            if both_emp {
                continue;
            }
            let bucket = if seg[u as usize] == seg[v as usize] {
                &mut within
            } else {
                &mut between
            };
            bucket[0] += (k == fam) as u64 as f64;
            bucket[1] += (k == fam || k == fri) as u64 as f64;
        }
    }
    // Family share: 0.3 / (0.3 + 0.7) within, 0.1 / (0.1 + 0.9) between.
    // Arcs come in pairs with the same kind, so the effective sample is half.
    for (b, p) in [(within, 0.3), (between, 0.1)] {
        let ties = b[1] / 2.0;
        let got = b[0] / b[1];
        assert!(
            (got - p).abs() < 5.0 * (p * (1.0 - p) / ties).sqrt(),
            "family share {got} vs {p}"
        );
    }
    // Both arcs of a personal tie have the same kind.
    for u in 0..2000u32 {
        for a in g.arc_range(u) {
            let v = g.targets()[a];
            if g.kinds()[a] == fol {
                continue;
            }
            let back = g.arc_range(v).find(|&b| g.targets()[b] == u).unwrap();
            assert_eq!(g.kinds()[a], g.kinds()[back]);
        }
    }
}

#[test]
fn follower_layer_gives_broadcasters_big_audiences() {
    let s = scenario(
        r#"
[graph]
kind = "erdos_renyi"
nodes = 50000
mean_degree = 4
[[audience.roles]]
name = "media"
count = 5
followers = 2000
[[audience.roles]]
name = "brand"
count = 1
followers = 10000
"#,
    );
    let g = s.build_graph().unwrap();
    let media = role_id(&g, "media");
    let brand = role_id(&g, "brand");
    let fol = kind_id(&g, "follower");
    for u in 0..g.node_count() as u32 {
        let r = g.roles()[u as usize];
        let followers = g.arc_range(u).filter(|&a| g.kinds()[a] == fol).count();
        let personal = g.out_degree(u) - followers;
        // A follower arc repeating a personal tie is dropped (the tie wins).
        let expect = if r == media {
            2000
        } else if r == brand {
            10000
        } else {
            0
        };
        assert!(
            followers <= expect && followers + personal >= expect,
            "person {u}: {followers} followers, expected {expect}"
        );
    }
    // Top-degree seeding now starts from the brand.
    assert_eq!(g.roles()[g.by_out_degree()[0] as usize], brand);
}

#[test]
fn same_seed_same_graph_and_default_kind_is_unchanged() {
    let a = scenario(AUDIENCE).build_graph().unwrap();
    let b = scenario(AUDIENCE).build_graph().unwrap();
    assert_eq!(a, b);
    let plain = scenario("[graph]\nkind = \"barabasi_albert\"\nnodes = 1000\nm = 2\n")
        .build_graph()
        .unwrap();
    assert_eq!(plain.vocabulary().kinds, vec!["tie".to_string()]);
    assert_eq!(plain.vocabulary().roles, vec!["public".to_string()]);
}

#[test]
fn every_generator_kind_builds_from_a_scenario() {
    for g in [
        "kind = \"watts_strogatz\"\nnodes = 2000\nk = 6\nrewire = 0.1",
        "kind = \"powerlaw_cluster\"\nnodes = 2000\nm = 3\ntriangle = 0.5",
        "kind = \"configuration\"\nnodes = 2000\nexponent = 2.5\nmin_degree = 2",
        "kind = \"erdos_renyi\"\nnodes = 2000\nmean_degree = 5\ndirected = true",
    ] {
        let s = scenario(&format!("[graph]\n{g}\n"));
        let graph = s.build_graph().unwrap();
        assert_eq!(graph.node_count(), 2000, "{g}");
        assert!(graph.arc_count() > 2000, "{g}");
    }
}

#[test]
fn bad_audiences_name_the_key() {
    let cases = [
        (
            "[graph]\nkind = \"watts_strogatz\"\nnodes = 100\nk = 3\nrewire = 0.1",
            "[graph].k",
        ),
        (
            "[graph]\nkind = \"stochastic_block\"\nnodes = 100\nmean_degree = 3",
            "stochastic_block needs",
        ),
        (
            "[graph]\nkind = \"stochastic_block\"\nnodes = 100\nmean_degree = 3\nhomophily = 0.5",
            "at least two",
        ),
        (
            "[graph]\nkind = \"configuration\"\nnodes = 100\nexponent = 0.5",
            "[graph].exponent",
        ),
        (
            "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.roles]]\nname = \"public\"\nshare = 0.1",
            "not \"public\"",
        ),
        (
            "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.roles]]\nname = \"x\"\nshare = 0.1\ncount = 3",
            "exactly one of",
        ),
        (
            "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.tie_kinds]]\nname = \"c\"\nroles = [\"nobody\"]",
            "'nobody' is not a role",
        ),
        (
            "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.tie_kinds]]\nname = \"a\"\n[[audience.tie_kinds]]\nname = \"b b\"",
            "without spaces",
        ),
        (
            "[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 3\n[[audience.tie_kinds]]\nname = \"a\"\ntrust = { distribution = \"fixed\", value = 2.0 }",
            "tie_kinds[0].trust",
        ),
    ];
    for (text, needle) in cases {
        let msg = scenario_err(text);
        assert!(
            msg.contains("bad.toml") && msg.contains(needle),
            "{text}\n→ {msg}"
        );
    }
}
