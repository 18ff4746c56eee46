//! An interrupt while an output is being written: the write stops, the temporary file is
//! removed and the old contents stay (its own test binary: the interrupt flag is process-wide).

use liq_io::output::{interrupted, note_interrupt, write_file_via, write_file_with};

#[test]
fn an_interrupted_write_leaves_the_old_file_and_no_temporary() {
    let d = tempdir();
    let target = d.join("events.csv");
    std::fs::write(&target, "old\n").unwrap();
    let mut rows = 0u64;
    let r = write_file_with(&target, |w| {
        // 257 MB in issue 14; here the signal arrives after the first megabyte.
        loop {
            w.write_all(&[b'x'; 1024])?;
            rows += 1;
            if rows == 1024 {
                // While writing, the handler must not exit: it reports a write in progress.
                assert!(note_interrupt(2));
            }
            if rows > 1_000_000 {
                panic!("the write did not stop after the interrupt");
            }
        }
    });
    assert!(r.is_err());
    assert_eq!(interrupted(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
    // Writers that take a path stop before their rename.
    let r = write_file_via(&target, |tmp| std::fs::write(tmp, "new\n"));
    assert!(r.is_err());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
    let names: Vec<_> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("events.csv")], "temporary files left");
    let _ = std::fs::remove_dir_all(&d);
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("liq-io-interrupt-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
