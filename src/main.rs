//! The `pm` binary: parse the command line, run it, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(pm::cli::main() as u8)
}
