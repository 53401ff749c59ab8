//! Memory hints for the large arrays of a country-scale run.
//!
//! A cascade reads its per-person stamps and each sharer's arcs at random
//! places in arrays of hundreds of megabytes to gigabytes. With 4 KiB pages
//! nearly every such read also misses the TLB, and at 100 million people the
//! page tables themselves no longer fit in cache. Transparent huge pages
//! (2 MiB) cut that cost; where the kernel offers them on request only
//! (`madvise` mode), [`advise_huge_pages`] asks for them. Hints never change
//! results: only where memory sits.
//!
//! They are off unless `VIRALSIM_HUGE_PAGES=1` is in the environment: at
//! 10 million people they brought nothing measurable to the trials and made
//! compiling and parsing slower (2 MiB pages are zeroed, and may be
//! compacted, when first touched); see benches/README.md.

/// Arrays smaller than this are left alone (the TLB covers them anyway).
const MIN_BYTES: usize = 8 << 20;

/// Asks the kernel to back the whole 2 MiB pages inside `data` with
/// transparent huge pages. Best called right after allocating and before
/// filling, since pages touched before the hint stay small. A hint only: it
/// does nothing on other systems, on small arrays, or when the kernel
/// declines, and it never changes the contents.
pub fn advise_huge_pages<T>(data: &[T]) {
    advise_range(data.as_ptr() as usize, std::mem::size_of_val(data));
}

/// Advises the reserved capacity of `v` (as [`advise_huge_pages`]), for a
/// vector about to be filled by pushing.
pub fn advise_capacity<T>(v: &Vec<T>) {
    advise_range(v.as_ptr() as usize, v.capacity() * std::mem::size_of::<T>());
}

/// `vec![value; n]` whose pages are advised huge before they are touched.
pub fn huge_vec<T: Clone>(value: T, n: usize) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    // The hint goes on the reserved capacity, before anything touches it.
    advise_range(v.as_ptr() as usize, n * std::mem::size_of::<T>());
    v.resize(n, value);
    v
}

/// Advises the whole 2 MiB pages of the `bytes` bytes at address `start`,
/// which must lie inside one allocation.
#[allow(unsafe_code)]
fn advise_range(start: usize, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let on = *ON.get_or_init(|| std::env::var("VIRALSIM_HUGE_PAGES").as_deref() == Ok("1"));
        if bytes < MIN_BYTES || !on {
            return;
        }
        let lo = start.next_multiple_of(HUGE);
        let hi = (start + bytes) / HUGE * HUGE;
        if hi > lo {
            // SAFETY: MADV_HUGEPAGE only changes how the kernel backs pages
            // inside the caller's allocation; it never changes their
            // contents or validity. A refusal is ignored (a hint).
            unsafe {
                libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, bytes);
}
