//! What one trial leaves behind: its outcome ([`TrialOutcome`]) and the
//! per-thread scratch memory the kernels reuse across trials ([`Workspace`]).

/// Sentinel parent of a seed.
pub(crate) const NO_PARENT: u32 = u32::MAX;

/// [`TreeNote::shared`] of someone who did not share.
pub(crate) const NOT_SHARED: u32 = u32::MAX;
/// [`TreeNote::arc`] of a seed or a paid-reach engagement.
pub(crate) const NO_ARC: u64 = u64::MAX;
/// [`TreeNote::plan`] of someone engaged through a tie.
pub(crate) const NO_PLAN: u32 = u32::MAX;

/// What the recording kernel notes about one engaged person, beside the
/// [`Engaged`] entry of the same index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TreeNote {
    /// Step at which they engaged (seeds and paid reach: 0).
    pub(crate) step: u32,
    /// Step at which they shared, or [`NOT_SHARED`].
    pub(crate) shared: u32,
    /// The arc that engaged them, or [`NO_ARC`].
    pub(crate) arc: u64,
    /// The seeding plan that engaged them (seeds, paid reach), or [`NO_PLAN`].
    pub(crate) plan: u32,
    /// They converted.
    pub(crate) converted: bool,
    /// They created earned media.
    pub(crate) earned: bool,
}

/// Scalar results of one trial. Counts include the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrialOutcome {
    /// People exposed to the content (seeds included).
    pub reached: u32,
    /// People who engaged (seeds included).
    pub engaged: u32,
    /// People who shared (seeds included).
    pub shared: u32,
    /// People who converted.
    pub converted: u32,
    /// People who created earned media (reviews, posts).
    pub earned_media: u32,
    /// Longest chain from a seed, in ties.
    pub depth: u32,
    /// Mean distance between pairs of people in the same cascade tree
    /// (Goel et al. 2016); 0 when no tree has two people.
    pub structural_virality: f64,
    /// Step with the most new (non-seed) engagements; 0 if there were none.
    pub peak_step: u32,
    /// Number of steps the cascade lasted (up to the last step with a share).
    pub steps: u32,
    /// Seeds (people who posted at step 0).
    pub seeds: u32,
    /// People exposed by paid reach.
    pub paid_reached: u32,
}

/// One engaged person in the cascade tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Engaged {
    pub(crate) node: u32,
    pub(crate) parent: u32,
    pub(crate) depth: u32,
}

/// Per-thread scratch memory, reused across trials (no allocation per trial
/// once warmed up). Visited marks are epoch-stamped, so nothing is cleared
/// between trials.
#[derive(Debug)]
pub struct Workspace {
    /// Per person: the epochs of the last trial that reached them and of
    /// the last one in which they engaged, side by side so that checking
    /// whether a just-reached person engaged touches the same cache line.
    pub(crate) stamps: Vec<[u16; 2]>,
    epoch: u16,
    pub(crate) engaged: Vec<Engaged>,
    pub(crate) frontier: Vec<u32>,
    pub(crate) next: Vec<u32>,
    pub(crate) seeds: Vec<u32>,
    pub(crate) size: Vec<u32>,
    pub(crate) root: Vec<u32>,
    /// New reached, engaged, shared per step of the last trial.
    pub(crate) per_step: Vec<[u32; 3]>,
    /// Reached and engaged per segment of the last trial (2 × segments).
    pub(crate) per_segment: Vec<u32>,
    /// Reached, engaged and seeds per role of the last trial (3 × roles).
    pub(crate) per_role: Vec<u32>,
    /// Scheduled shares (step, engaged index) when delays vary.
    pub(crate) pending: std::collections::BinaryHeap<std::cmp::Reverse<(u32, u32)>>,
    /// Linear threshold: accumulated influence and threshold per person.
    pub(crate) influence: Vec<f32>,
    pub(crate) threshold: Vec<f32>,
    /// Scratch for dense sampling.
    pub(crate) scratch: Vec<u32>,
    /// Scratch for picked people.
    pub(crate) marks_u32: Vec<u32>,
    /// Out-degree summed over the last trial's sharers.
    pub(crate) edges_examined: u64,
    /// Plain kernel: engaged people in order, and each one's parent entry.
    pub(crate) eng_node: Vec<u32>,
    pub(crate) eng_parent: Vec<u32>,
    /// General kernel: the people who converted in the last trial.
    pub(crate) converted: Vec<u32>,
    /// Recording kernel: a note per engaged entry of the last trial.
    pub(crate) notes: Vec<TreeNote>,
    /// True when the last trial was cut at the step cap of a run without
    /// a horizon (people were still due to share).
    pub(crate) capped: bool,
}

impl Workspace {
    /// Scratch space for a graph of `n` people.
    pub fn new(n: usize) -> Self {
        // Zeroed pages are not touched yet, so the hint takes effect.
        let stamps = vec![[0; 2]; n];
        crate::memory::advise_huge_pages(&stamps);
        Workspace {
            stamps,
            epoch: 0,
            engaged: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
            seeds: Vec::new(),
            size: Vec::new(),
            root: Vec::new(),
            per_step: Vec::new(),
            per_segment: Vec::new(),
            per_role: Vec::new(),
            pending: Default::default(),
            influence: Vec::new(),
            threshold: Vec::new(),
            scratch: Vec::new(),
            marks_u32: Vec::new(),
            edges_examined: 0,
            eng_node: Vec::new(),
            eng_parent: Vec::new(),
            converted: Vec::new(),
            notes: Vec::new(),
            capped: false,
        }
    }

    /// The people who engaged in the last trial run by the plain kernel, in
    /// the order they engaged (seeds first); empty after the general kernel.
    pub fn engaged_in_order(&self) -> &[u32] {
        &self.eng_node
    }

    /// Advances to the next trial's epoch and returns it: a person is
    /// reached (engaged) in this trial when their reach (engage) stamp equals
    /// it, and every earlier stamp is smaller. 16-bit stamps keep the arrays
    /// small (2 bytes per person, so they stay in cache); they are cleared
    /// once every 65,535 trials.
    pub(crate) fn next_epoch(&mut self) -> u16 {
        if self.epoch == u16::MAX {
            self.stamps.iter_mut().for_each(|s| *s = [0; 2]);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }

    /// Empties the per-trial lists both kernels use.
    pub(crate) fn start_trial(&mut self) {
        self.frontier.clear();
        self.next.clear();
        self.per_step.clear();
        self.per_segment.clear();
        self.per_role.clear();
        self.eng_node.clear();
        self.eng_parent.clear();
        self.converted.clear();
    }

    /// Out-degrees of the last trial's sharers, summed.
    pub fn edges_examined(&self) -> u64 {
        self.edges_examined
    }

    /// The people who converted in the last trial run by the general
    /// kernel, in the order they converted; empty after the lean kernel.
    pub fn converted(&self) -> &[u32] {
        &self.converted
    }

    /// The per-step counts (new reached, engaged, shared) of the last trial.
    pub fn per_step(&self) -> &[[u32; 3]] {
        &self.per_step
    }

    /// Reached and engaged per segment of the last trial (interleaved).
    pub fn per_segment(&self) -> &[u32] {
        &self.per_segment
    }

    /// Reached, engaged and seeds per role of the last trial (interleaved).
    pub fn per_role(&self) -> &[u32] {
        &self.per_role
    }
}
