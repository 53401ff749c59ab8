//! The `viralsim` binary: parse arguments, run, print one error, exit.

fn main() {
    std::process::exit(viralsim::cli::main());
}
