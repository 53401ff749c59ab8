//! Text reports on stdout: a run's summary and a graph's statistics.

/// "[lo, hi]" with `f` applied to both ends, or "n/a" when the interval
/// cannot be estimated (fewer than two trials).
fn interval(ci: Option<[f64; 2]>, f: impl Fn(f64) -> String) -> String {
    match ci {
        Some([lo, hi]) => format!("[{}, {}]", f(lo), f(hi)),
        None => "n/a".into(),
    }
}

/// Money with thousands separators and always two decimals.
fn money_cents(x: f64) -> String {
    let s = crate::scenario::money_label(x);
    match s.split_once('.') {
        Some(_) => s,
        None => format!("{s}.00"),
    }
}

/// Prints a run's headline numbers, a line each.
pub fn print_summary(r: &crate::run::RunReport) {
    use crate::metrics::Show;
    let s = &r.summary;
    println!(
        "viralsim: '{}' — {} {} on {} people / {} arcs, seed {} ({:.2} s simulating, {} {})",
        s.run.name,
        s.run.trials,
        if s.run.trials == 1 { "trial" } else { "trials" },
        s.run.nodes,
        s.run.arcs,
        s.run.seed,
        r.timings.simulate_s,
        r.threads,
        if r.threads == 1 { "thread" } else { "threads" }
    );
    println!(
        "  {:<14} {:>12}   {:>25}   {:>10} {:>10}",
        "per campaign", "mean", "95% CI of mean", "p5", "p95"
    );
    let shown = |show: Show| s.table.iter().filter(move |m| m.show == show);
    for m in shown(Show::Funnel) {
        let st = &s.metrics[&m.name];
        println!(
            "  {:<14} {:>12.2}   {:>25}   {:>10.1} {:>10.1}",
            m.label,
            st.mean,
            interval(st.ci95, |x| format!("{x:>10.2}")),
            st.p5,
            st.p95
        );
    }
    println!(
        "  P(reach ≥ {}) = {:.3} [{:.3}, {:.3}]",
        s.viral_threshold, s.going_viral.estimate, s.going_viral.ci95[0], s.going_viral.ci95[1]
    );
    for m in shown(Show::Rate) {
        let st = &s.metrics[&m.name];
        println!(
            "  {:<14} {:>11.3}%   {:>25}   (per campaign: {})",
            m.label,
            100.0 * st.mean,
            interval(st.ci95, |x| format!("{:>9.3}%", 100.0 * x)),
            m.unit
        );
    }
    if let Some(e) = &s.economics {
        use crate::scenario::money_label as money;
        let c = &e.currency;
        for m in shown(Show::Money) {
            let st = &s.metrics[&m.name];
            // One precision for the mean and its interval: whole units from
            // 1,000 up, cents below.
            let cents = st.mean.abs() < 1000.0;
            let fmt = |x: f64| {
                if cents {
                    money_cents(x)
                } else {
                    money(x.round())
                }
            };
            println!(
                "  {:<14} {:>12} {c} {}",
                m.label,
                fmt(st.mean),
                interval(st.ci95, fmt)
            );
        }
        let roi = shown(Show::Roi).next().map(|m| &s.metrics[&m.name]);
        if let (Some(m), Some(p)) = (roi, &e.roi_positive) {
            println!(
                "  ROI            {:>11.1}%   {};  P(ROI > 0) = {:.3} [{:.3}, {:.3}]",
                100.0 * m.mean,
                interval(m.ci95, |x| format!("{:.1}%", 100.0 * x)),
                p.estimate,
                p.ci95[0],
                p.ci95[1]
            );
        }
        let b = &e.bought;
        let seeds: Vec<String> = b
            .seeds
            .iter()
            .map(|(role, k)| format!("{} {role}", money(*k)))
            .collect();
        let mut bought = format!("seeds: {}", seeds.join(", "));
        if b.paid_impressions > 0.0 {
            bought += &format!("; {} paid impressions", money(b.paid_impressions));
        }
        println!("  bought         {bought} (per campaign)");
        match e.budget {
            Some(budget) => println!(
                "  cost vs budget {} of {} {c} ({:.0}%)",
                money(b.cost),
                money(budget),
                100.0 * b.cost / budget.max(f64::MIN_POSITIVE)
            ),
            None => println!(
                "  cost           {} {c} per campaign (no budget given)",
                money(b.cost)
            ),
        }
    }
    if s.precision.mode == "auto" {
        println!(
            "  precision      ±{:.2}% of mean reach after {} trials (target ±{:.2}%{})",
            100.0 * s.precision.reach_relative_half_width,
            s.precision.trials,
            100.0 * s.precision.target.unwrap_or(0.0),
            if s.precision.met == Some(true) {
                ""
            } else {
                ", NOT met: max_trials reached"
            }
        );
    }
    if let Some(c) = &s.crisis {
        for line in crate::metrics::crisis::crisis_lines(c) {
            println!("{line}");
        }
    }
    println!("  results: {}/", r.out_dir.display());
}

/// Prints a graph's statistics, a line each.
pub fn print_graph_stats(name: &str, s: &crate::graph::stats::GraphStats) {
    let pct = |x: u64| 100.0 * x as f64 / s.nodes.max(1) as f64;
    println!(
        "graph '{name}': {} people, {} arcs (reciprocity {:.3}, {:.1} bytes per arc)",
        s.nodes, s.arcs, s.reciprocity, s.bytes_per_arc
    );
    for (label, d) in [("out-degree", &s.out_degree), ("in-degree", &s.in_degree)] {
        println!(
            "  {label:<11} mean {:.2}, max {}, p50 {}, p90 {}, p99 {}, p99.9 {}, zero {}",
            d.mean, d.max, d.p50, d.p90, d.p99, d.p999, d.zero
        );
    }
    match &s.power_law {
        Some(f) => println!(
            "  power law   α = {:.3} ± {:.3} for out-degree ≥ {} ({} people, KS distance {:.3})",
            f.exponent, f.stderr, f.k_min, f.tail, f.ks
        ),
        None => println!("  power law   not fitted (too few distinct degrees)"),
    }
    let c = &s.clustering;
    if c.exact {
        println!("  clustering  {:.3e} (all {} people)", c.mean, c.people);
    } else {
        println!(
            "  clustering  {:.3e} ± {:.1e} (standard error; sample of {} people)",
            c.mean, c.stderr, c.people
        );
    }
    println!(
        "  components  {} (weak); largest {} people ({:.1}%)",
        s.components.count,
        s.components.largest,
        100.0 * s.components.largest_share
    );
    println!(
        "  homophily   {:.3} of arcs join people of the same segment",
        s.homophily
    );
    let list = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, &v)| format!("{k} {v} ({:.1}%)", pct(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("  segments    {}", list(&s.segments));
    println!("  roles       {}", list(&s.roles));
    for (k, v) in &s.kinds {
        match v.mean_trust {
            Some(t) => {
                let c = v
                    .clustering
                    .as_ref()
                    .map_or(String::new(), |c| format!(", clustering {:.3}", c.mean));
                println!(
                    "  tie kind    {k}: {} arcs ({:.2} per person{c}), mean trust {t:.3}",
                    v.arcs, v.mean_degree
                )
            }
            None => println!("  tie kind    {k}: no arcs"),
        }
    }
}

/// Prints what `graph stats` knows of each layer of a layered audience.
pub fn print_layer_stats(
    layers: &[crate::graph::layers::LayerStats],
    s: &crate::graph::stats::GraphStats,
) {
    for l in layers {
        let overlap: u64 = l.overlap.values().sum();
        let shared = if overlap == 0 {
            String::new()
        } else {
            format!(
                "; {overlap} already tied by an earlier layer ({})",
                l.overlap
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        println!(
            "  layer       {} ({}): {} ties{shared}",
            l.layer, l.tie_kind, l.ties
        );
        if let Some(g) = &l.groups {
            let what = if l.layer == "household" {
                "households"
            } else {
                "workplaces"
            };
            let last = g.sizes.len();
            let hist = g
                .sizes
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let plus = if i + 1 == last { "+" } else { "" };
                    format!(
                        "{}{plus}: {:.1}%",
                        i + 1,
                        100.0 * c as f64 / g.count.max(1) as f64
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let cliques = if g.clique_ties == l.ties {
                format!("every one a clique ({} ties)", g.clique_ties)
            } else {
                format!(
                    "{:.1}% of their pairs tied",
                    100.0 * l.ties as f64 / g.clique_ties.max(1) as f64
                )
            };
            println!(
                "              {} {what} of {} people ({:.1}% of everyone), mean size {:.2}, largest {}; {cliques}",
                g.count,
                g.people,
                100.0 * g.people as f64 / s.nodes.max(1) as f64,
                g.mean_size,
                g.max_size
            );
            println!("              sizes {hist}");
        }
    }
}
