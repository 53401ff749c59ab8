//! Seeding plans resolved against a graph ([`ResolvedSeeding`]): explicit
//! people found, pools of candidates listed, counts checked against what is
//! left for each plan. Resolved once per run and shared by reference, so the
//! same plan seeds every content compiled against the graph.

use crate::error::{Error, Result};
use crate::graph::SocialGraph;
use crate::scenario::{Economics, PersonId, Pick, Plan, PlanCost, PlanLine, Seeding, money_label};
use std::collections::BTreeMap;

/// A seeding plan resolved against a graph.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolvedPlan {
    /// The same people in every trial.
    Fixed(Vec<u32>),
    /// `count` people drawn each trial from `pool`.
    Random {
        /// Candidates.
        pool: Vec<u32>,
        /// How many.
        count: usize,
    },
    /// Paid impressions drawn each trial from `pool`.
    Paid {
        /// Candidates.
        pool: Vec<u32>,
        /// How many.
        impressions: usize,
        /// Trust in the brand channel.
        brand_trust: f64,
    },
}

/// A scenario's seeding plans resolved against one graph, in plan order.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSeeding {
    /// The resolved plans.
    pub plans: Vec<ResolvedPlan>,
    /// The scenario key of each plan (`[seeding]` or `[seeding].plans[i]`).
    pub keys: Vec<String>,
    /// The strategy each plan came from.
    pub strategies: Vec<String>,
    /// Seeds when they are the same in every trial (no random plan).
    pub fixed_seeds: Option<Vec<u32>>,
}

/// The seeds of plans that pick the same people in every trial, or None
/// when some plan draws at random.
fn fixed_seeds_of(plans: &[ResolvedPlan]) -> Option<Vec<u32>> {
    plans
        .iter()
        .all(|p| matches!(p, ResolvedPlan::Fixed(_) | ResolvedPlan::Paid { .. }))
        .then(|| {
            plans
                .iter()
                .flat_map(|p| match p {
                    ResolvedPlan::Fixed(v) => v.clone(),
                    _ => Vec::new(),
                })
                .collect()
        })
}

impl ResolvedSeeding {
    /// Resolves `seeding` against `g`: people in explicit lists exist, and
    /// every plan has enough people to pick from in every trial. Plans that
    /// pick the same people in every trial (explicit, top degree) are
    /// resolved first, in plan order, and nobody else may pick their people;
    /// each random plan must then fit among the people left after the
    /// largest number earlier random plans can take from its pool, and paid
    /// impressions among those left after every seed. `file` names the
    /// scenario in messages.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming the plan.
    pub fn resolve(seeding: &Seeding, g: &SocialGraph, file: &str) -> Result<Self> {
        let bad = |msg: String| Error::Scenario {
            file: file.to_string(),
            msg,
        };
        let n = g.node_count();
        let key = |i: usize| {
            if seeding.plans.len() == 1 {
                "[seeding]".to_string()
            } else {
                format!("[seeding].plans[{i}]")
            }
        };
        let matches = |segments: &Option<Vec<u16>>, roles: &Option<Vec<u8>>, u: u32| {
            segments
                .as_ref()
                .is_none_or(|s| s.contains(&g.segments()[u as usize]))
                && roles
                    .as_ref()
                    .is_none_or(|r| r.contains(&g.roles()[u as usize]))
        };
        let mut taken = vec![false; n];
        let mut by_degree: Option<Vec<u32>> = None;
        let mut out: Vec<Option<ResolvedPlan>> = vec![None; seeding.plans.len()];
        // Pass 1: the plans that pick the same people in every trial.
        for (i, (_, plan)) in seeding.plans.iter().enumerate() {
            match plan {
                Plan::Explicit(ids) => {
                    let labels: Vec<String> = ids
                        .iter()
                        .map(|id| match id {
                            PersonId::Number(x) => x.to_string(),
                            PersonId::Label(s) => s.clone(),
                        })
                        .collect();
                    let found = g.ids_of(&labels);
                    let mut v = Vec::with_capacity(ids.len());
                    for (j, (id, u)) in ids.iter().zip(found).enumerate() {
                        let u = u.ok_or_else(|| {
                            bad(format!("{}.nodes[{j}] = {id} is not a person in the graph (ids run from 0 to {})", key(i), n.saturating_sub(1)))
                        })?;
                        if taken[u as usize] {
                            return Err(bad(format!(
                                "{}.nodes[{j}] = {id} is already a seed of another plan",
                                key(i)
                            )));
                        }
                        taken[u as usize] = true;
                        v.push(u);
                    }
                    out[i] = Some(ResolvedPlan::Fixed(v));
                }
                Plan::Select {
                    count,
                    segments,
                    roles,
                    pick: Pick::TopDegree,
                } => {
                    let pool: Vec<u32> = by_degree
                        .get_or_insert_with(|| g.by_out_degree())
                        .iter()
                        .copied()
                        .filter(|&u| !taken[u as usize] && matches(segments, roles, u))
                        .collect();
                    let k = count.unwrap_or(pool.len());
                    if k == 0 || k > pool.len() {
                        return Err(bad(format!(
                            "{} asks for {} people but only {} match it{}",
                            key(i),
                            k,
                            pool.len(),
                            if taken.iter().any(|&t| t) {
                                " (after the seeds of other plans)"
                            } else {
                                ""
                            }
                        )));
                    }
                    for &u in &pool[..k] {
                        taken[u as usize] = true;
                    }
                    out[i] = Some(ResolvedPlan::Fixed(pool[..k].to_vec()));
                }
                _ => {}
            }
        }
        // Pass 2: random plans and paid reach, in plan order. `drawn` lists
        // the pools and counts of the draws made before each plan.
        let mut drawn: Vec<(Vec<bool>, usize)> = Vec::new();
        // The most people earlier draws can take from `pool` in one trial.
        let earlier = |drawn: &[(Vec<bool>, usize)], pool: &[u32]| -> usize {
            drawn
                .iter()
                .map(|(mask, k)| (*k).min(pool.iter().filter(|&&u| mask[u as usize]).count()))
                .sum()
        };
        for phase in [0, 1] {
            for (i, (_, plan)) in seeding.plans.iter().enumerate() {
                match (phase, plan) {
                    (
                        0,
                        Plan::Select {
                            count,
                            segments,
                            roles,
                            pick: Pick::Random,
                        },
                    ) => {
                        let pool: Vec<u32> = g
                            .people_by_id()
                            .filter(|&u| !taken[u as usize] && matches(segments, roles, u))
                            .collect();
                        let k = count.unwrap_or(pool.len());
                        let before = earlier(&drawn, &pool);
                        let left = pool.len() - before.min(pool.len());
                        if k == 0 || k > left {
                            let mut why = Vec::new();
                            if taken.iter().any(|&t| t) {
                                why.push("after the seeds of fixed plans".to_string());
                            }
                            if before > 0 {
                                why.push(format!(
                                    "{before} of them may be drawn by earlier random plans in a trial"
                                ));
                            }
                            return Err(bad(format!(
                                "{} asks for {} people but only {} match it{}{}",
                                key(i),
                                k,
                                pool.len(),
                                if why.is_empty() { "" } else { " (" },
                                if why.is_empty() {
                                    String::new()
                                } else {
                                    why.join("; ") + ")"
                                }
                            )));
                        }
                        if k == pool.len() {
                            for &u in &pool {
                                taken[u as usize] = true;
                            }
                            out[i] = Some(ResolvedPlan::Fixed(pool));
                        } else {
                            let mut mask = vec![false; n];
                            for &u in &pool {
                                mask[u as usize] = true;
                            }
                            drawn.push((mask, k));
                            out[i] = Some(ResolvedPlan::Random { pool, count: k });
                        }
                    }
                    (
                        1,
                        Plan::PaidReach {
                            impressions,
                            segments,
                            brand_trust,
                        },
                    ) => {
                        let pool: Vec<u32> = g
                            .people_by_id()
                            .filter(|&u| matches(segments, &None, u))
                            .collect();
                        let seeds = pool.iter().filter(|&&u| taken[u as usize]).count();
                        let before = earlier(&drawn, &pool);
                        let left = pool.len() - (seeds + before).min(pool.len());
                        if *impressions > left {
                            return Err(bad(format!(
                                "{}.impressions = {impressions} is more than the {left} people it can reach in every trial ({} people it targets{}{}); paid impressions go to people who are not seeds",
                                key(i),
                                pool.len(),
                                if seeds > 0 {
                                    format!(", {seeds} of them fixed seeds")
                                } else {
                                    String::new()
                                },
                                if before > 0 {
                                    format!(
                                        ", up to {before} of them drawn by random plans or earlier impressions"
                                    )
                                } else {
                                    String::new()
                                }
                            )));
                        }
                        let mut mask = vec![false; n];
                        for &u in &pool {
                            mask[u as usize] = true;
                        }
                        drawn.push((mask, *impressions));
                        out[i] = Some(ResolvedPlan::Paid {
                            pool,
                            impressions: *impressions,
                            brand_trust: *brand_trust,
                        });
                    }
                    _ => {}
                }
            }
        }
        let out: Vec<ResolvedPlan> = out
            .into_iter()
            .map(|p| p.expect("every plan is resolved in one of the passes"))
            .collect();
        if out.is_empty() {
            return Err(bad("[seeding] has no plan".into()));
        }
        let fixed_seeds = fixed_seeds_of(&out);
        Ok(ResolvedSeeding {
            keys: (0..out.len()).map(key).collect(),
            strategies: seeding.plans.iter().map(|(name, _)| name.clone()).collect(),
            plans: out,
            fixed_seeds,
        })
    }

    /// True when some plan buys paid reach.
    pub fn has_paid_reach(&self) -> bool {
        self.plans
            .iter()
            .any(|p| matches!(p, ResolvedPlan::Paid { .. }))
    }

    /// The same plans with every person `u` replaced by `f(u)` (a change of
    /// storage order: pools keep their order, so draws are unchanged).
    pub fn map_people(&self, f: impl Fn(u32) -> u32) -> Self {
        let map = |v: &[u32]| v.iter().map(|&u| f(u)).collect::<Vec<u32>>();
        ResolvedSeeding {
            plans: self
                .plans
                .iter()
                .map(|p| match p {
                    ResolvedPlan::Fixed(v) => ResolvedPlan::Fixed(map(v)),
                    ResolvedPlan::Random { pool, count } => ResolvedPlan::Random {
                        pool: map(pool),
                        count: *count,
                    },
                    ResolvedPlan::Paid {
                        pool,
                        impressions,
                        brand_trust,
                    } => ResolvedPlan::Paid {
                        pool: map(pool),
                        impressions: *impressions,
                        brand_trust: *brand_trust,
                    },
                })
                .collect(),
            keys: self.keys.clone(),
            strategies: self.strategies.clone(),
            fixed_seeds: self.fixed_seeds.as_ref().map(|v| map(v)),
        }
    }

    /// What the plans cost per campaign under `e` on `g`, before simulating.
    pub fn plan_cost(&self, e: &Economics, g: &SocialGraph) -> PlanCost {
        let names = &g.vocabulary().roles;
        let role_name = |r: usize| names.get(r).cloned().unwrap_or_else(|| "public".into());
        let roles = g.roles();
        let mut lines = Vec::with_capacity(self.plans.len());
        let mut seeds: BTreeMap<String, f64> = BTreeMap::new();
        let mut seed_costs: BTreeMap<String, f64> = BTreeMap::new();
        let mut impressions = 0u64;
        let mut impressions_cost = 0.0;
        for ((key, strategy), plan) in self.keys.iter().zip(&self.strategies).zip(&self.plans) {
            let mut per_role = vec![0f64; names.len().max(1)];
            let mut imp = 0u64;
            match plan {
                ResolvedPlan::Fixed(v) => {
                    for &u in v {
                        per_role[roles[u as usize] as usize] += 1.0;
                    }
                }
                ResolvedPlan::Random { pool, count } => {
                    let mut in_role = vec![0u64; per_role.len()];
                    for &u in pool {
                        in_role[roles[u as usize] as usize] += 1;
                    }
                    for (slot, &k) in per_role.iter_mut().zip(&in_role) {
                        *slot = *count as f64 * k as f64 / pool.len().max(1) as f64;
                    }
                }
                ResolvedPlan::Paid { impressions, .. } => imp = *impressions as u64,
            }
            let mut line = PlanLine {
                key: key.clone(),
                strategy: strategy.clone(),
                seeds: BTreeMap::new(),
                impressions: imp,
                cost: imp as f64 * e.cpm / 1000.0,
            };
            for (r, &k) in per_role.iter().enumerate() {
                if k > 0.0 {
                    let c = k * e.seed_cost.get(r).copied().unwrap_or(0.0);
                    line.seeds.insert(role_name(r), k);
                    line.cost += c;
                    *seeds.entry(role_name(r)).or_default() += k;
                    *seed_costs.entry(role_name(r)).or_default() += c;
                }
            }
            impressions += imp;
            impressions_cost += imp as f64 * e.cpm / 1000.0;
            lines.push(line);
        }
        let total = seed_costs.values().sum::<f64>() + impressions_cost + e.fixed_cost;
        PlanCost {
            plans: lines,
            seeds,
            seed_costs,
            impressions,
            impressions_cost,
            fixed_cost: e.fixed_cost,
            total,
        }
    }

    /// [`ResolvedSeeding::plan_cost`], checked against `[economics].budget`.
    ///
    /// # Errors
    /// [`Error::Scenario`] when the plan costs more than the budget: the
    /// message names the budget and the cost of each plan with its key.
    pub fn budgeted_cost(&self, e: &Economics, g: &SocialGraph, file: &str) -> Result<PlanCost> {
        let cost = self.plan_cost(e, g);
        if let Some(b) = e.budget {
            // A cent of slack for expected role mixes that are not exact in binary.
            if cost.total > b + 0.005 {
                let mut parts: Vec<String> = cost
                    .plans
                    .iter()
                    .map(|l| {
                        let what = if l.impressions > 0 {
                            format!(
                                "{} impressions × [economics].cpm {} / 1000",
                                l.impressions,
                                money_label(e.cpm)
                            )
                        } else {
                            l.seeds
                                .iter()
                                .map(|(r, k)| {
                                    let unit = g
                                        .vocabulary()
                                        .roles
                                        .iter()
                                        .position(|x| x == r)
                                        .and_then(|i| e.seed_cost.get(i))
                                        .copied()
                                        .unwrap_or(0.0);
                                    format!(
                                        "{} {r} × [economics].seed_cost.{r} {}",
                                        money_label(*k),
                                        money_label(unit)
                                    )
                                })
                                .collect::<Vec<_>>()
                                .join(" + ")
                        };
                        format!(
                            "{} ({}): {what} = {}",
                            l.key,
                            l.strategy,
                            money_label(l.cost)
                        )
                    })
                    .collect();
                if e.fixed_cost > 0.0 {
                    parts.push(format!(
                        "[economics].fixed_cost = {}",
                        money_label(e.fixed_cost)
                    ));
                }
                return Err(Error::Scenario {
                    file: file.to_string(),
                    msg: format!(
                        "[economics].budget = {} {} is less than the plan's cost of {} per campaign ({}); raise the budget, cut seed counts or impressions, or lower the costs",
                        money_label(b),
                        e.currency,
                        money_label(cost.total),
                        parts.join("; ")
                    ),
                });
            }
        }
        Ok(cost)
    }
}
