//! The cascade tree's structural virality (Goel et al. 2016), in
//! O(cascade size).

use super::state::NO_PARENT;

/// Mean shortest-path distance between pairs of people in the same cascade
/// tree, in O(cascade size). `parent[i]` is the entry that engaged entry `i`
/// ([`NO_PARENT`] for a root); parents precede children. Each tree edge
/// (child, parent) lies on the paths of size(child) · (tree size −
/// size(child)) pairs (Wiener index); sums are exact integers.
pub(crate) fn structural_virality(parent: &[u32], size: &mut Vec<u32>, root: &mut Vec<u32>) -> f64 {
    let k = parent.len();
    if k < 2 {
        return 0.0;
    }
    // Subtree sizes: children come after their parents, so one backward pass.
    size.clear();
    size.resize(k, 1);
    for i in (0..k).rev() {
        let p = parent[i];
        if p != NO_PARENT {
            size[p as usize] += size[i];
        }
    }
    // Roots (forward pass) and the two sums, in u64 while they cannot
    // overflow (each sum is below k³/4), else in u128.
    root.clear();
    root.reserve(k);
    let (wiener, pairs) = if k < 1 << 21 {
        let (w, p) = tree_sums::<u64>(parent, size, root);
        (w as f64, p as f64)
    } else {
        let (w, p) = tree_sums::<u128>(parent, size, root);
        (w as f64, p as f64)
    };
    if pairs > 0.0 { wiener / pairs } else { 0.0 }
}

/// Σ over non-roots of size·(tree size − size) (the Wiener index of the
/// forest) and Σ over trees of C(tree size, 2), exactly in `W`.
fn tree_sums<W>(parent: &[u32], size: &[u32], root: &mut Vec<u32>) -> (W, W)
where
    W: Copy
        + From<u32>
        + std::ops::Add<Output = W>
        + std::ops::Sub<Output = W>
        + std::ops::Mul<Output = W>
        + std::ops::Div<Output = W>,
{
    let (zero, one, two) = (W::from(0), W::from(1), W::from(2));
    let mut wiener = zero;
    let mut pairs = zero;
    for (i, &p) in parent.iter().enumerate() {
        if p == NO_PARENT {
            root.push(i as u32);
            let t = W::from(size[i]);
            pairs = pairs + t * (t - one) / two;
        } else {
            let r = root[p as usize];
            root.push(r);
            let s = W::from(size[i]);
            wiener = wiener + s * (W::from(size[r as usize]) - s);
        }
    }
    (wiener, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, below, stream_rng};

    /// The u64 sums (used below 2^21 people) and the u128 ones (above) are
    /// the same numbers: random forests, parents before children.
    #[test]
    fn tree_sums_agree_in_u64_and_u128() {
        let mut r = stream_rng(3, Stream::Trial, 0);
        for case in 0..200u64 {
            let k = 1 + below(&mut r, 400) as usize;
            let parent: Vec<u32> = (0..k)
                .map(|i| {
                    if i == 0 || below(&mut r, 10) == 0 {
                        NO_PARENT
                    } else {
                        below(&mut r, i as u64) as u32
                    }
                })
                .collect();
            let mut size = vec![1u32; k];
            for i in (0..k).rev() {
                if parent[i] != NO_PARENT {
                    size[parent[i] as usize] += size[i];
                }
            }
            let (mut r1, mut r2) = (Vec::new(), Vec::new());
            let (w64, p64) = tree_sums::<u64>(&parent, &size, &mut r1);
            let (w128, p128) = tree_sums::<u128>(&parent, &size, &mut r2);
            assert_eq!((w64 as u128, p64 as u128), (w128, p128), "case {case}");
            assert_eq!(r1, r2);
        }
    }
}
