//! Safe output files, for every output flag of every command (re-exported from [`crate::output`]).
//!
//! - **Checked before computing** ([`check_outputs`]): each output's directory exists and is
//!   writable (a probe file is created and removed), an output is not a directory, no output is
//!   one of the command's inputs (paths compared after canonicalising, so `./s.toml`, a symlink
//!   and `s.toml` are one file), and no two outputs are the same file. `run s.toml --result
//!   s.toml` is refused before anything runs instead of destroying the scenario.
//! - **Written whole or not at all** ([`write_file_with`], [`write_file_via`], [`write_dir_via`]):
//!   the data go to a temporary file in the target's directory (`.NAME.tmp-PID-N`), are flushed,
//!   and the temporary file is renamed over the target only when everything succeeded; on any
//!   error, or when a SIGINT/SIGTERM arrives, the temporary file is removed on drop and the old
//!   contents, if any, are untouched. A metadata sidecar is written after its data file, so a
//!   sidecar's presence means the data file is complete.
//! - **Special files are written in place**: a target that exists and is not a regular file
//!   (`/dev/null`, a FIFO, `/dev/full`), or lies under `/dev` or `/proc` (`/dev/stdout`, even
//!   when redirected to a file), cannot be replaced by a rename — that would swap a device node
//!   or the shell's open file for a plain file — so it is written directly, and every write and
//!   flush error is returned (`network --graphml /dev/full` fails with "No space left on
//!   device"). A symlink to a regular file keeps the link: its target is replaced.
//!
//! Interrupts: the binary's signal handler calls [`note_interrupt`]. While no output is being
//! written it may end the process at once (nothing partial can exist); while one is, writes
//! through [`write_file_with`] fail at the next buffer and every writer checks before its rename,
//! so the temporary file is removed and the command ends with 128 + the signal (130, 143).

use crate::output::OutputError;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// The signal that interrupted the process (0: none).
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);
/// Outputs being written now (a temporary file may exist).
static WRITING: AtomicUsize = AtomicUsize::new(0);
/// Distinguishes temporary files of one process.
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Records an interrupt; returns whether an output is being written (then the caller must let
/// the writer clean up instead of exiting). Async-signal-safe: two atomic operations.
pub fn note_interrupt(signal: i32) -> bool {
    INTERRUPTED.store(signal, Ordering::SeqCst);
    WRITING.load(Ordering::SeqCst) > 0
}

/// The signal that interrupted the process, if one did.
pub fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> OutputError {
    OutputError::Io { path: path.display().to_string(), source }
}

fn interrupt_error(path: &Path) -> OutputError {
    io_err(path, std::io::Error::other("interrupted by a signal; the old file, if any, is untouched"))
}

/// The directory an output file goes into (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path an output will have once written: canonical directory + file name, or the
/// canonical target itself when it exists (resolving a symlink to the file it names).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Some(p);
    }
    let dir = std::fs::canonicalize(parent_dir(path)).ok()?;
    Some(dir.join(path.file_name()?))
}

/// Whether a target must be written in place, never renamed over: it exists and is not a
/// regular file or a directory (a character device, a FIFO, a socket), or it is under `/dev`
/// or `/proc` or a symlink into them. `/dev/stdout` redirected to a file is a symlink to
/// `/proc/self/fd/1`: renaming over it would replace the symlink, or unlink the file the shell
/// holds open, so it too is written in place.
pub fn is_special(path: &Path) -> bool {
    let system = |p: &Path| p.starts_with("/dev") || p.starts_with("/proc");
    if system(path) {
        return true;
    }
    match std::fs::symlink_metadata(path) {
        Err(_) => false,
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::read_link(path).map_or(true, |t| system(&t))
                || std::fs::canonicalize(path).map_or(true, |real| system(&real) || is_special(&real))
        }
        Ok(m) => !m.is_file() && !m.is_dir(),
    }
}

/// The file a rename must replace: a symlink's target (the link itself is kept), else the path.
fn rename_target(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// An output to check: the flag that names it (for messages), its path, and whether it is a
/// directory (`--plots DIR`, created if missing) rather than a file.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub flag: &'a str,
    pub path: &'a Path,
    pub dir: bool,
}

impl<'a> Target<'a> {
    /// An output file named by `flag`.
    pub fn file(flag: &'a str, path: &'a Path) -> Self {
        Target { flag, path, dir: false }
    }
    /// An output directory named by `flag`.
    pub fn dir(flag: &'a str, path: &'a Path) -> Self {
        Target { flag, path, dir: true }
    }
}

/// Checks every output before any work is done (see the module doc). `inputs` are the files
/// the command reads; a missing input is ignored here (its loader reports it).
pub fn check_outputs(targets: &[Target], inputs: &[&Path]) -> Result<(), OutputError> {
    let fail = |t: &Target, msg: String| OutputError::Refused {
        flag: t.flag.to_string(),
        path: t.path.display().to_string(),
        message: msg,
    };
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for t in targets {
        // A symlink's file is replaced in its target's directory: that is the one to probe.
        let dir = parent_dir(&rename_target(t.path));
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(fail(t, format!("{} is not a directory", dir.display()))),
            Err(e) => return Err(fail(t, format!("the directory {} does not exist ({e})", dir.display()))),
        }
        match std::fs::metadata(t.path) {
            Ok(m) if m.is_dir() && !t.dir => return Err(fail(t, "is a directory".into())),
            Ok(m) if !m.is_dir() && t.dir => return Err(fail(t, "exists and is not a directory".into())),
            _ => {}
        }
        let Some(r) = resolved(t.path) else {
            return Err(fail(t, "cannot resolve the path".into()));
        };
        if inputs.contains(&r) {
            return Err(fail(t, "is one of this command's inputs; refusing to overwrite it".into()));
        }
        if let Some((_, other)) = seen.iter().find(|(p, _)| *p == r) {
            return Err(fail(t, format!("is also the output of {other}")));
        }
        seen.push((r, t.flag));
        if !is_special(t.path) {
            probe_writable(&dir).map_err(|e| fail(t, format!("cannot write in {}: {e}", dir.display())))?;
        }
    }
    Ok(())
}

/// Creates and removes a probe file in `dir`: the only reliable writability test (permission
/// bits say nothing about read-only mounts, ACLs or a full quota).
fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = temp_name(dir, Path::new("probe"));
    std::fs::OpenOptions::new().write(true).create_new(true).open(&probe)?;
    std::fs::remove_file(&probe)
}

fn temp_name(dir: &Path, target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// A temporary file or directory that is removed on drop unless committed; counts as an
/// output in progress while it lives.
struct Pending {
    path: PathBuf,
    dir: bool,
    committed: bool,
}

impl Pending {
    /// Registers the write *before* the file exists, so that an interrupt never finds an
    /// unregistered temporary file.
    fn new(path: PathBuf, dir: bool) -> Self {
        WRITING.fetch_add(1, Ordering::SeqCst);
        Pending { path, dir, committed: false }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ =
                if self.dir { std::fs::remove_dir_all(&self.path) } else { std::fs::remove_file(&self.path) };
        }
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A writer that fails once an interrupt has been noted, so a long write stops at the next
/// buffer instead of running to the end.
struct Interruptible<W>(W);

impl<W: Write> Write for Interruptible<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if interrupted().is_some() {
            // Not `ErrorKind::Interrupted`: `write_all` retries on that kind, forever.
            return Err(std::io::Error::other("interrupted by a signal"));
        }
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Writes `path` through `f` (given a buffered writer): whole or not at all.
pub fn write_file_with<F>(path: &Path, f: F) -> Result<(), OutputError>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    if is_special(path) {
        let file = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| io_err(path, e))?;
        let mut w = std::io::BufWriter::new(file);
        f(&mut w).map_err(|e| io_err(path, e))?;
        return w.flush().map_err(|e| io_err(path, e));
    }
    let real = rename_target(path);
    let tmp = temp_name(&parent_dir(&real), &real);
    let mut pending = Pending::new(tmp.clone(), false);
    let file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(|e| io_err(path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, Interruptible(file));
    let written = f(&mut w).and_then(|()| w.flush());
    drop(w);
    if interrupted().is_some() {
        return Err(interrupt_error(path));
    }
    written.map_err(|e| io_err(path, e))?;
    std::fs::rename(&tmp, &real).map_err(|e| io_err(path, e))?;
    pending.committed = true;
    Ok(())
}

/// Writes `path` with a writer that takes a path of its own (Parquet, a JSON helper): it is
/// handed the temporary path, which is renamed over `path` only when it succeeds.
pub fn write_file_via<F, E>(path: &Path, f: F) -> Result<(), OutputError>
where
    F: FnOnce(&Path) -> Result<(), E>,
    E: std::fmt::Display,
{
    if is_special(path) {
        return f(path).map_err(|e| io_err(path, std::io::Error::other(e.to_string())));
    }
    let real = rename_target(path);
    let tmp = temp_name(&parent_dir(&real), &real);
    let mut pending = Pending::new(tmp.clone(), false);
    let result = f(&tmp);
    if interrupted().is_some() {
        return Err(interrupt_error(path));
    }
    result.map_err(|e| io_err(path, std::io::Error::other(e.to_string())))?;
    std::fs::rename(&tmp, &real).map_err(|e| io_err(path, e))?;
    pending.committed = true;
    Ok(())
}

/// Fills the directory `dir` (created if missing) through `f`, which writes files into the
/// directory it is given: a temporary sibling directory, whose files are then moved into
/// `dir` one by one (each move a rename). Returns the final paths.
pub fn write_dir_via<F, E>(dir: &Path, f: F) -> Result<Vec<PathBuf>, OutputError>
where
    F: FnOnce(&Path) -> Result<(), E>,
    E: std::fmt::Display,
{
    let tmp = temp_name(&parent_dir(dir), dir);
    let _pending = Pending::new(tmp.clone(), true);
    std::fs::create_dir(&tmp).map_err(|e| io_err(dir, e))?;
    let result = f(&tmp);
    if interrupted().is_some() {
        return Err(interrupt_error(dir));
    }
    result.map_err(|e| io_err(dir, std::io::Error::other(e.to_string())))?;
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&tmp).map_err(|e| io_err(dir, e))? {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let to = dir.join(entry.file_name());
        std::fs::rename(entry.path(), &to).map_err(|e| io_err(&to, e))?;
        out.push(to);
    }
    out.sort();
    Ok(out)
}
