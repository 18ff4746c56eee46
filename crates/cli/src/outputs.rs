//! The output files a command will write, checked before it computes anything
//! (`liq_io::output::check_outputs`): directories exist and are writable, no output is an
//! input, no two outputs collide. Every command builds one [`Outputs`] from its flags first.

use crate::InputError;
use liq_io::output::Target;
use std::path::{Path, PathBuf};

/// The outputs and inputs of one command.
#[derive(Default)]
pub struct Outputs {
    targets: Vec<(String, PathBuf, bool)>,
    inputs: Vec<PathBuf>,
}

impl Outputs {
    /// An output file of `--flag`, if given.
    pub fn file(mut self, flag: &str, path: Option<&PathBuf>) -> Self {
        if let Some(p) = path {
            self.targets.push((flag.to_string(), p.clone(), false));
        }
        self
    }

    /// An output file of `--flag` and its `FILE.meta.json` sidecar.
    pub fn file_with_sidecar(mut self, flag: &str, path: Option<&PathBuf>) -> Self {
        if let Some(p) = path {
            self.targets.push((flag.to_string(), p.clone(), false));
            if !liq_io::output::is_special(p) {
                self.targets.push((format!("{flag} (sidecar)"), liq_io::output::sidecar_path(p), false));
            }
        }
        self
    }

    /// An output directory of `--flag` (created if missing).
    pub fn dir(mut self, flag: &str, path: Option<&PathBuf>) -> Self {
        if let Some(p) = path {
            self.targets.push((flag.to_string(), p.clone(), true));
        }
        self
    }

    /// The `--report`, `--result` and `--plots` flags of `run` and `stress`.
    pub fn report_flags(self, f: &crate::report_cmd::ReportFlags) -> Self {
        self.file("report", f.report.as_ref())
            .file("result", f.result.as_ref())
            .dir("plots", f.plots.as_ref())
    }

    /// An input file.
    pub fn input(mut self, path: Option<&Path>) -> Self {
        self.inputs.extend(path.map(Path::to_path_buf));
        self
    }

    /// A scenario file and the accounts CSV it names.
    pub fn scenario(mut self, path: Option<&PathBuf>) -> Self {
        if let Some(p) = path {
            self.inputs.extend(liq_io::scenario_input_files(p));
        }
        self
    }

    /// Refuses the command (exit 2) if an output cannot or must not be written.
    pub fn check(self) -> Result<(), InputError> {
        let targets: Vec<Target> =
            self.targets.iter().map(|(flag, path, dir)| Target { flag, path, dir: *dir }).collect();
        let inputs: Vec<&Path> = self.inputs.iter().map(PathBuf::as_path).collect();
        liq_io::output::check_outputs(&targets, &inputs).map_err(|e| InputError(e.to_string()))
    }
}

/// Prints to stdout, returning the error instead of panicking (a closed pipe ends the command
/// quietly in `main`; with SIGPIPE at its default action the process has ended already).
pub fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// The provenance hash of input files that are not a scenario (`firesale`, `calibrate`).
/// First 16 hex characters of the SHA-256 of the files' bytes, each followed by a zero byte.
pub(crate) fn input_hash(paths: &[&std::path::PathBuf]) -> anyhow::Result<String> {
    use anyhow::Context;
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in paths {
        h.update(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?);
        h.update([0u8]);
    }
    Ok(h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect())
}
