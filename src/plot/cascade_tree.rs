//! `cascade_tree.png`: the cascade trees of the median-size and the largest
//! trial, side by side, as radial trees.

use super::{FONT, H, W, embed_font, err, register_fonts};
use crate::error::Error;
use crate::error::Result;
use crate::trees::{CascadeTree, Trees};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// People drawn per tree at most; a larger tree is drawn up to the last
/// step that keeps it within this many people, and the chart says so.
pub const MAX_DRAWN: usize = 3000;

/// Colours of segments or roles, in id order (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const GREY: RGBColor = RGBColor(90, 90, 90);
/// The channel of paid-reach engagements.
const PAID: &str = "paid_reach";

/// A legend entry's marker.
enum Marker {
    Dot,
    Seed,
    Paid,
}

/// What the people's colour shows.
enum ColourBy {
    Segment,
    Role,
    Shared,
}

/// Draws the trees of the median-size and largest trials in `trees` to
/// `path` (PNG, or SVG by its extension): radial trees with the seeds at
/// the centre and one ring per tie of sharing, people coloured by segment
/// (or role, or whether they shared, when there is one segment or role),
/// seeds ringed in black; each panel names its trial, size, depth and
/// structural virality.
///
/// # Errors
/// [`crate::Error::Write`] if the chart cannot be rendered or written, or
/// when `trees` lacks the median or largest trial's tree.
pub fn cascade_tree(name: &str, trees: &Trees, path: &Path) -> Result<()> {
    let pick = |t: Option<u64>| {
        t.and_then(|t| trees.tree(t)).ok_or_else(|| {
            err(
                path,
                "the median and largest trials' trees were not recorded",
            )
        })
    };
    let median = pick(trees.median)?;
    let largest = pick(trees.largest)?;
    render!(path, root => cascade_tree_on(&root, name, trees, median, largest, path))
}

fn cascade_tree_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    trees: &Trees,
    median: &CascadeTree,
    largest: &CascadeTree,
    path: &Path,
) -> Result<()> {
    let (by, names): (ColourBy, Vec<String>) = if trees.segments.len() > 1 {
        (ColourBy::Segment, trees.segments.clone())
    } else if trees.roles.len() > 1 {
        (ColourBy::Role, trees.roles.clone())
    } else {
        (
            ColourBy::Shared,
            vec!["shared".into(), "did not share".into()],
        )
    };
    let what = match by {
        ColourBy::Segment => "segment",
        ColourBy::Role => "audience role",
        ColourBy::Shared => "whether they shared",
    };
    let top = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(
        format!("{name}: who engaged whom"),
        (W as i32 / 2, 20),
        (FONT, 44)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(top),
    ))
    .map_err(|e| err(path, e))?;
    root.draw(&Text::new(
        format!(
            "Seeds at the centre, one ring per tie from the brand; each line joins a sharer to someone they engaged. Colour: {what}."
        ),
        (W as i32 / 2, 76),
        (FONT, 26)
            .into_font()
            .color(&RGBColor(70, 70, 70))
            .pos(top),
    ))
    .map_err(|e| err(path, e))?;
    let (_, body) = root.split_vertically(115);
    let (panels, legend) = body.split_vertically(body.dim_in_pixel().1 - 70);
    let (left, right) = panels.split_horizontally(W / 2);
    for (area, tree, which) in [
        (&left, median, "Trial closest to the median size"),
        (&right, largest, "Largest trial"),
    ] {
        panel(area, tree, which, &by, path)?;
    }
    // Legend: a swatch per colour shown, the seed marker and, when there
    // are any, the paid-reach marker.
    let shown = |f: &dyn Fn(&crate::trees::TreePerson) -> bool| {
        [median, largest]
            .iter()
            .any(|t| t.people[..drawn(t).0].iter().any(f))
    };
    let font = (FONT, 26).into_font().color(&BLACK);
    let mut items: Vec<(String, RGBColor, Marker)> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            shown(&|p| match by {
                ColourBy::Segment => p.segment as usize == *i,
                ColourBy::Role => p.role as usize == *i,
                ColourBy::Shared => usize::from(p.shared.is_none()) == *i,
            })
        })
        .map(|(i, n)| (n.clone(), PALETTE[i % PALETTE.len()], Marker::Dot))
        .collect();
    items.push(("seed (ringed)".into(), GREY, Marker::Seed));
    if shown(&|p| p.parent.is_none() && p.channel == PAID) {
        items.push(("engaged by paid reach (square)".into(), GREY, Marker::Paid));
    }
    let widths: Vec<i32> = items
        .iter()
        .map(|(n, _, _)| 60 + 14 * n.chars().count() as i32)
        .collect();
    let total: i32 = widths.iter().sum();
    let mut x = (W as i32 - total) / 2;
    let y = 30;
    for ((label, colour, marker), w) in items.iter().zip(widths) {
        match marker {
            Marker::Paid => {
                let sq = [(x + 2, y - 10), (x + 22, y + 10)];
                legend
                    .draw(&Rectangle::new(sq, colour.filled()))
                    .map_err(|e| err(path, e))?;
                legend
                    .draw(&Rectangle::new(sq, BLACK.stroke_width(1)))
                    .map_err(|e| err(path, e))?;
            }
            Marker::Dot | Marker::Seed => {
                legend
                    .draw(&Circle::new((x + 12, y), 11, colour.filled()))
                    .map_err(|e| err(path, e))?;
            }
        }
        if matches!(marker, Marker::Seed) {
            legend
                .draw(&Circle::new((x + 12, y), 13, BLACK.stroke_width(3)))
                .map_err(|e| err(path, e))?;
        }
        legend
            .draw(&Text::new(
                label.clone(),
                (x + 34, y),
                font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| err(path, e))?;
        x += w;
    }
    Ok(())
}

/// A radial layout: (x, y) in [−1, 1]² per person of `people[..n]`.
/// Ring k holds the people k ties from the brand (seeds on the inner ring,
/// or at the centre when there is one root; paid-reach engagements and the
/// seeds' contacts on the next); every person gets an angular sector in
/// proportion to the leaves below them, children in the order they engaged.
fn radial_layout(tree: &CascadeTree, n: usize) -> (Vec<(f64, f64)>, u32) {
    let people = &tree.people[..n];
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, p) in people.iter().enumerate() {
        match p.parent {
            Some(q) => children[q as usize].push(i as u32),
            None => roots.push(i as u32),
        }
    }
    // Leaves below each person (parents come first: one backward pass).
    let mut leaves = vec![0u64; n];
    for i in (0..n).rev() {
        if children[i].is_empty() {
            leaves[i] = 1;
        }
        if let Some(q) = people[i].parent {
            leaves[q as usize] += leaves[i];
        }
    }
    let total: u64 = roots.iter().map(|&r| leaves[r as usize]).sum();
    let max_gen = people.iter().map(|p| p.depth).max().unwrap_or(0);
    let single = roots.len() == 1 && people[roots[0] as usize].depth == 0;
    // Ring radius of a generation.
    let rings = if single { max_gen } else { max_gen + 1 };
    let radius = |g: u32| {
        if rings == 0 {
            0.0
        } else {
            (g + u32::from(!single)) as f64 / rings as f64
        }
    };
    let mut pos = vec![(0.0, 0.0); n];
    // Depth-first from each root in order, handing out leaf slots.
    let mut stack: Vec<u32> = Vec::new();
    let mut next_slot = 0u64;
    let mut start = vec![0u64; n];
    let mut order = Vec::with_capacity(n);
    for &r in &roots {
        stack.clear();
        stack.push(r);
        while let Some(u) = stack.pop() {
            order.push(u);
            start[u as usize] = next_slot;
            if children[u as usize].is_empty() {
                next_slot += 1;
            }
            for &c in children[u as usize].iter().rev() {
                stack.push(c);
            }
        }
    }
    for &u in &order {
        let mid = start[u as usize] as f64 + leaves[u as usize] as f64 / 2.0;
        let angle = std::f64::consts::TAU * mid / total.max(1) as f64 - std::f64::consts::FRAC_PI_2;
        let r = radius(people[u as usize].depth);
        pos[u as usize] = (r * angle.cos(), r * angle.sin());
    }
    (pos, max_gen)
}

/// People drawn of `tree`: everyone, or those engaged up to the last step
/// that keeps them within [`MAX_DRAWN`] (parents engage before children,
/// so that keeps whole chains), and that step.
fn drawn(tree: &CascadeTree) -> (usize, Option<u32>) {
    let n = tree.people.len();
    if n <= MAX_DRAWN {
        return (n, None);
    }
    // People are in engagement order, so steps never decrease.
    let step = tree.people[MAX_DRAWN].step;
    let keep = tree.people.partition_point(|p| p.step < step);
    if keep == 0 {
        // The first step alone is too many: the first MAX_DRAWN of it.
        (MAX_DRAWN, Some(step))
    } else {
        (keep, Some(step - 1))
    }
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    tree: &CascadeTree,
    which: &str,
    by: &ColourBy,
    path: &Path,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let o = &tree.outcome;
    let top = Pos::new(HPos::Center, VPos::Top);
    area.draw(&Text::new(
        format!("{which} (trial {})", tree.trial),
        (w as i32 / 2, 4),
        (FONT, 30)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(top),
    ))
    .map_err(|e| err(path, e))?;
    area.draw(&Text::new(
        format!(
            "{} people engaged, {} seeds, depth {}, structural virality {:.2}",
            super::count_label(&(o.engaged as f64)),
            o.seeds,
            o.depth,
            o.structural_virality
        ),
        (w as i32 / 2, 42),
        (FONT, 25).into_font().color(&BLACK).pos(top),
    ))
    .map_err(|e| err(path, e))?;
    let (n, upto) = drawn(tree);
    let mut y0 = 78;
    if let Some(step) = upto {
        area.draw(&Text::new(
            format!(
                "Shown: {}, {} of {} people (all are in trees.csv)",
                if step == 0 {
                    "step 0 only".to_string()
                } else {
                    format!("steps 0–{step} only")
                },
                super::count_label(&(n as f64)),
                super::count_label(&(tree.people.len() as f64))
            ),
            (w as i32 / 2, y0),
            (FONT, 24)
                .into_font()
                .color(&RGBColor(170, 40, 40))
                .pos(top),
        ))
        .map_err(|e| err(path, e))?;
        y0 += 34;
    }
    let (pos, _) = radial_layout(tree, n);
    let cx = w as f64 / 2.0;
    let cy = y0 as f64 + (h as f64 - y0 as f64) / 2.0;
    let scale = ((w as f64).min(h as f64 - y0 as f64) / 2.0 - 24.0).max(10.0);
    let px = |p: (f64, f64)| ((cx + p.0 * scale) as i32, (cy + p.1 * scale) as i32);
    let dot = if n <= 60 {
        9
    } else if n <= 300 {
        6
    } else if n <= 1200 {
        4
    } else {
        3
    };
    let line = RGBColor(120, 120, 120).mix(if n <= 300 { 0.8 } else { 0.45 });
    let width = if n <= 300 { 2 } else { 1 };
    for (i, p) in tree.people[..n].iter().enumerate() {
        if let Some(q) = p.parent {
            area.draw(&PathElement::new(
                vec![px(pos[q as usize]), px(pos[i])],
                line.stroke_width(width),
            ))
            .map_err(|e| err(path, e))?;
        }
    }
    let colour = |i: usize| {
        let p = &tree.people[i];
        let k = match by {
            ColourBy::Segment => p.segment as usize,
            ColourBy::Role => p.role as usize,
            ColourBy::Shared => usize::from(p.shared.is_none()),
        };
        PALETTE[k % PALETTE.len()]
    };
    // Everyone (paid-reach engagements as squares), then the seeds on
    // top, ringed.
    for (i, p) in tree.people[..n].iter().enumerate() {
        let (x, y) = px(pos[i]);
        if p.parent.is_none() && p.channel == PAID {
            let d = dot + 1;
            area.draw(&Rectangle::new(
                [(x - d, y - d), (x + d, y + d)],
                colour(i).filled(),
            ))
            .map_err(|e| err(path, e))?;
            if n <= 300 {
                area.draw(&Rectangle::new(
                    [(x - d, y - d), (x + d, y + d)],
                    BLACK.stroke_width(1),
                ))
                .map_err(|e| err(path, e))?;
            }
        } else {
            area.draw(&Circle::new((x, y), dot, colour(i).filled()))
                .map_err(|e| err(path, e))?;
        }
    }
    for (i, p) in tree.people[..n].iter().enumerate() {
        if p.parent.is_none() && p.channel != PAID {
            let r = dot + 5;
            area.draw(&Circle::new(px(pos[i]), r, colour(i).filled()))
                .map_err(|e| err(path, e))?;
            area.draw(&Circle::new(px(pos[i]), r + 1, BLACK.stroke_width(3)))
                .map_err(|e| err(path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TrialOutcome;
    use crate::trees::TreePerson;

    fn person(parent: Option<u32>, step: u32) -> TreePerson {
        TreePerson {
            person: String::new(),
            parent,
            channel: if parent.is_some() { "tie" } else { "explicit" }.into(),
            step,
            shared: None,
            tie_kind: None,
            trust: None,
            segment: 0,
            role: 0,
            converted: false,
            earned_media: false,
            depth: u32::from(parent.is_some()),
        }
    }

    #[test]
    fn radial_layout_puts_generations_on_rings() {
        // A star: one seed, three children on the outer ring.
        let tree = CascadeTree {
            trial: 0,
            outcome: TrialOutcome::default(),
            people: vec![
                person(None, 0),
                person(Some(0), 0),
                person(Some(0), 0),
                person(Some(0), 0),
            ],
        };
        let (pos, gens) = radial_layout(&tree, 4);
        assert_eq!(gens, 1);
        assert_eq!(pos[0], (0.0, 0.0));
        for p in &pos[1..] {
            assert!(((p.0 * p.0 + p.1 * p.1).sqrt() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn big_trees_are_cut_at_a_step() {
        let mut people = vec![person(None, 0)];
        for i in 1..5000u32 {
            people.push(person(Some(i - 1), i / 1000));
        }
        let tree = CascadeTree {
            trial: 0,
            outcome: TrialOutcome::default(),
            people,
        };
        // Steps 0, 1 and 2 hold 3000 people; step 3 would exceed the cap.
        assert_eq!(drawn(&tree), (3000, Some(2)));
    }
}
