//! The `abm` command's configuration: the embedded default ([`liq_abm::default_config`]) with an
//! optional TOML patch merged over it.
//!
//! Written against serde only, never against the config's field names: the default is
//! serialised to a TOML tree, the user's tables are merged into it key by key (anything that is
//! not a table — number, string, boolean, array — replaces the default's value), and the result
//! is deserialised back. Errors name the file, the 1-based line and the dotted field, in the
//! format of scenario errors (`abm.toml:4: makers.sise_lots: unknown field`):
//!
//! * TOML syntax: the parser's position; the field is the key written on that line, if any;
//! * type errors: the field path serde reports (`serde_path_to_error`), located in the file;
//! * unknown keys: a key the user wrote that does not survive deserialise → serialise (serde
//!   ignores it). This also accepts keys whose default is absent from the tree (`[shock]`, an
//!   `Option` that is `None` in the default) without listing them;
//! * bad values: [`liq_abm::AbmConfig::validate`]'s field, located in the file when written there.

use crate::InputError;
use liq_abm::AbmConfig;
use std::fmt::Write as _;
use std::path::Path;

/// Where the effective config came from: `embedded default` or `embedded default + FILE`.
pub fn source_label(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("embedded default + {}", p.display()),
        None => "embedded default".to_string(),
    }
}

/// The embedded default, with the patch file `path` merged over it and validated.
pub fn load(path: Option<&Path>) -> anyhow::Result<AbmConfig> {
    let Some(path) = path else {
        return Ok(liq_abm::default_config());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError(format!("{}: cannot read the ABM config: {e}", path.display())))?;
    Ok(apply_patch(to_tree(&liq_abm::default_config())?, &text, path)?)
}

/// Merges the patch `text` (read from `file`, named in errors) over the `default` tree.
fn apply_patch(default: toml::Table, text: &str, file: &Path) -> Result<AbmConfig, InputError> {
    let fail = |line: Option<usize>, field: &str, message: &str| {
        InputError(liq_io::error::render(file, line, field, message))
    };
    let patch: toml::Table = toml::from_str(text).map_err(|e| {
        // An error at the end of the file (an unclosed array) belongs to the last written line.
        let at = e.span().map(|s| s.start.min(text.trim_end().len()));
        let field = at.map(|o| key_on_line(text, line_of(text, o))).unwrap_or_default();
        let message = e.message().trim_end().replace('\n', "; ");
        fail(at.map(|o| line_of(text, o)), &field, &format!("TOML syntax: {message}"))
    })?;
    // The line a field is written on, for errors found after parsing.
    let locate =
        |field: &str| liq_io::field_position(text, liq_io::Format::Toml, field).map(|(line, _)| line);
    let mut patch = patch;
    const OPTIONS_CSV: &str = "flows.dealers.options_csv";
    let options_csv = take_options_csv(&mut patch).map_err(|m| fail(locate(OPTIONS_CSV), OPTIONS_CSV, m))?;
    let mut merged = default;
    merge(&mut merged, patch.clone());
    let mut cfg: AbmConfig = serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        fail(locate(&field), &field, &e.inner().message().trim_end().replace('\n', "; "))
    })?;
    // What serde kept of the patch: a written key missing from the round trip was ignored.
    let kept = to_tree(&cfg).map_err(|e| InputError(format!("{}: {e}", file.display())))?;
    if let Some((field, suggestion)) = first_unknown(&patch, &kept, "") {
        let hint = match suggestion {
            Some(s) => format!("unknown field (did you mean `{s}`?)"),
            None => "unknown field (`liqcascade abm --print-config` lists every key)".to_string(),
        };
        return Err(fail(locate(&field), &field, &hint));
    }
    if let Some(name) = options_csv {
        // Resolved against the config's one market (market 0), as the scenario file's rows are
        // against its markets; errors name the CSV's own line and column.
        let spec =
            liq_abm::run::market_spec(&cfg).map_err(|e| fail(locate(&e.field), &e.field, &e.message))?;
        let rows = liq_io::options_csv::read_options_csv(&relative_to(file, &name), &[spec])
            .map_err(|e| InputError(e.to_string()))?;
        if let Some(d) = cfg.flows.dealers.as_mut() {
            d.options = rows;
        }
    }
    cfg.validate().map_err(|e| fail(locate(&e.field), &e.field, &e.message))?;
    Ok(cfg)
}

/// `[flows.dealers] options_csv = "FILE"`, the scenario file's form of the dealers' options
/// book: taken out of the patch (the config has only the rows) with an empty `options` array
/// left in its place for the rows read once the config is known. `Err` is the message.
fn take_options_csv(patch: &mut toml::Table) -> Result<Option<String>, &'static str> {
    let dealers = patch
        .get_mut("flows")
        .and_then(toml::Value::as_table_mut)
        .and_then(|f| f.get_mut("dealers"))
        .and_then(toml::Value::as_table_mut);
    let Some(d) = dealers else { return Ok(None) };
    let Some(v) = d.remove("options_csv") else { return Ok(None) };
    let Some(name) = v.as_str().map(str::to_string) else {
        return Err("must be the options CSV's file name (a string)");
    };
    if d.contains_key("options") {
        return Err("give the options inline ([[flows.dealers.options]]) or as options_csv, not both");
    }
    d.insert("options".into(), toml::Value::Array(Vec::new()));
    Ok(Some(name))
}

/// `name` relative to the directory of the config `file`.
fn relative_to(file: &Path, name: &str) -> std::path::PathBuf {
    file.parent().unwrap_or_else(|| Path::new(".")).join(name)
}

/// The options CSV a patch file names (`[flows.dealers] options_csv`), for the check that no
/// output overwrites an input; `None` when it names none or cannot be read (loading reports that).
pub fn options_csv_input(path: Option<&Path>) -> Option<std::path::PathBuf> {
    let path = path?;
    let mut patch: toml::Table = toml::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    take_options_csv(&mut patch).ok().flatten().map(|name| relative_to(path, &name))
}

/// The config as a TOML table.
fn to_tree(cfg: &AbmConfig) -> anyhow::Result<toml::Table> {
    match toml::Value::try_from(cfg)? {
        toml::Value::Table(t) => Ok(t),
        other => anyhow::bail!("the ABM config serialises to a {}, not a table", other.type_str()),
    }
}

/// The config as TOML text (what `--print-config` prints and the config hash is taken over).
pub fn to_toml(cfg: &AbmConfig) -> anyhow::Result<String> {
    Ok(toml::to_string(cfg)?)
}

/// First 16 hex characters of the SHA-256 of the effective config's TOML text.
pub fn config_hash(toml_text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(toml_text.as_bytes())[..8].iter().fold(String::with_capacity(16), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Tables merge key by key; every other value replaces the default's.
fn merge(base: &mut toml::Table, patch: toml::Table) {
    for (k, v) in patch {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(p)) => merge(b, p),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The first key path of `patch` (depth first, file order) absent from `kept`, with the closest
/// known sibling key when one is close enough to be a typo.
fn first_unknown(patch: &toml::Table, kept: &toml::Table, prefix: &str) -> Option<(String, Option<String>)> {
    for (k, v) in patch {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match (kept.get(k), v) {
            (None, _) => {
                let close = kept
                    .keys()
                    .map(|c| (edit_distance(k, c), c))
                    .filter(|(d, c)| *d <= 2.max(c.len() / 4))
                    .min();
                return Some((path, close.map(|(_, c)| c.clone())));
            }
            (Some(toml::Value::Table(kt)), toml::Value::Table(pt)) => {
                if let Some(u) = first_unknown(pt, kt, &path) {
                    return Some(u);
                }
            }
            (Some(toml::Value::Array(ka)), toml::Value::Array(pa)) => {
                for (i, (kv, pv)) in ka.iter().zip(pa).enumerate() {
                    if let (toml::Value::Table(kt), toml::Value::Table(pt)) = (kv, pv) {
                        if let Some(u) = first_unknown(pt, kt, &format!("{path}[{i}]")) {
                            return Some(u);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Levenshtein distance (keys are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The dotted key written on `line` (1-based), qualified by the table header above it: the
/// field a syntax error on that line concerns. Empty when the line holds no `key =`.
fn key_on_line(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(here) = lines.get(line.saturating_sub(1)) else { return String::new() };
    let header = |l: &str| {
        let t = l.trim();
        let t = t.strip_prefix("[[").and_then(|t| t.split("]]").next()).or_else(|| {
            t.strip_prefix('[').and_then(|t| t.split(']').next()).filter(|_| !t.starts_with("[["))
        })?;
        Some(t.trim().to_string())
    };
    if let Some(h) = header(here) {
        return h;
    }
    let key = match here.split_once('=') {
        Some((k, _)) => k.trim(),
        None => return String::new(),
    };
    let plain = |k: &str| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    };
    if !plain(key) {
        return String::new();
    }
    let key: String = key.split('.').map(str::trim).collect::<Vec<_>>().join(".");
    match lines[..line.saturating_sub(1)].iter().rev().find_map(|l| header(l)) {
        Some(h) => format!("{h}.{key}"),
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(text: &str) -> Result<AbmConfig, String> {
        let default = to_tree(&liq_abm::default_config()).unwrap();
        apply_patch(default, text, Path::new("abm.toml")).map_err(|e| e.0)
    }

    #[test]
    fn empty_patch_is_the_default_and_its_text_round_trips() {
        let d = liq_abm::default_config();
        assert_eq!(patch("").unwrap(), d);
        let text = to_toml(&d).unwrap();
        assert_eq!(patch(&text).unwrap(), d);
        assert_eq!(config_hash(&text).len(), 16);
        assert_eq!(config_hash(&text), config_hash(&to_toml(&patch(&text).unwrap()).unwrap()));
    }

    #[test]
    fn patch_changes_only_what_it_names() {
        let d = liq_abm::default_config();
        let c = patch("[makers]\nwithdraw = false\n").unwrap();
        assert_ne!(c, d);
        let (mut a, b) = (to_tree(&c).unwrap(), to_tree(&d).unwrap());
        let makers = a.get_mut("makers").and_then(|m| m.as_table_mut()).unwrap();
        assert_eq!(makers.insert("withdraw".into(), toml::Value::Boolean(true)), Some(false.into()));
        assert_eq!(a, b);
        // A dotted key at the top level is the same patch.
        assert_eq!(patch("makers.withdraw = false").unwrap(), c);
    }

    #[test]
    fn shock_table_is_accepted_and_checked() {
        let c = patch("[shock]\nat_s = 30.0\nindex_move = -0.03\nover_s = 10.0\n").unwrap();
        assert!(c.shock.is_some());
        let e = patch("[shock]\nat_s = 30.0\nindex_move = -0.03\nover_s = 10.0\nsize = 1\n").unwrap_err();
        assert!(e.starts_with("abm.toml:5: shock.size: unknown field"), "{e}");
        let e = patch("[shock]\nindex_move = -0.03\n").unwrap_err();
        assert!(e.starts_with("abm.toml:1: shock: missing field"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = patch("# c\n[makers]\nwithdraw = false\nsise_lots = 3\n").unwrap_err();
        assert!(
            e.starts_with("abm.toml:4: makers.sise_lots: unknown field (did you mean `size_lots`?)"),
            "{e}"
        );
        let e = patch("[makres]\nwithdraw = false\n").unwrap_err();
        assert!(e.starts_with("abm.toml:1: makres: unknown field"), "{e}");
        let e = patch("\n[noise]\nmarket_rate_per_s = -1\n").unwrap_err();
        assert!(e.starts_with("abm.toml:3: noise.market_rate_per_s: "), "{e}");
        let e = patch("[noise]\n\nmarket_rate_per_s = \"fast\"\n").unwrap_err();
        assert!(e.starts_with("abm.toml:3: noise.market_rate_per_s: invalid type"), "{e}");
        let e = patch("[makers]\nwithdraw = false\nlevels = \n").unwrap_err();
        assert!(e.starts_with("abm.toml:3: makers.levels: TOML syntax: "), "{e}");
        let e = patch("[stops]\ndistances = [0.01, 0.02, 0.9]\n").unwrap_err();
        assert!(e.starts_with("abm.toml:2: stops.distances[2]: "), "{e}");
    }

    /// Fuzz target for ABM patches (issue 14, item 7): mutants of the example patch, of the
    /// full default and of a patch at the work bounds go through [`load`]; an accepted config
    /// then simulates half a second, so a patch that passes validation but would hang or
    /// exhaust memory (the subnormal `wake_ms`, the huge `vol_activity_exponent` and
    /// `limit_rate_per_s` of the issue) fails the watchdog. `LIQ_FUZZ_ITERS` bounds the run.
    #[test]
    fn fuzz_abm_patch() {
        fn run(p: &Path) -> Result<(), String> {
            let cfg = load(Some(p)).map_err(|e| format!("{e:#}"))?;
            liq_abm::run::run_abm_events(&cfg, 1, 0.5).map_err(|e| format!("accepted, then: {e}"))?;
            Ok(())
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let bounds = "[arbitrageur]\nwake_ms = 1.0\n[noise]\nlimit_rate_per_s = 1000.0\n\
                      vol_activity_exponent = 1.98\n[makers]\nrequote_ms = 1.0\n";
        let mut t = liq_fuzz::Target::new(
            "abm_patch",
            "toml",
            &std::env::temp_dir().join(format!("liq-fuzz-{}", std::process::id())),
        )
        .regressions(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/abm_patch"))
        .seed_files(&[root.join("examples/abm/no_withdrawal.toml")])
        .seed(to_toml(&liq_abm::default_config()).unwrap())
        .seed(bounds);
        // Half a simulated second of the default market takes well under a second even here.
        t.bound = std::time::Duration::from_secs(20);
        liq_fuzz::fuzz(&t, run);
    }

    /// The issue's three patches, refused with file, line and field.
    #[test]
    fn issue_14_patches_are_refused_at_their_line() {
        let e = patch("[arbitrageur]\nwake_ms = 5e-324\n").unwrap_err();
        assert!(e.starts_with("abm.toml:2: arbitrageur.wake_ms: must be a period of at least 1 ms"), "{e}");
        let e = patch("[noise]\nvol_activity_exponent = 1e300\n").unwrap_err();
        assert!(e.starts_with("abm.toml:2: noise.vol_activity_exponent: "), "{e}");
        let e = patch("[noise]\nlimit_rate_per_s = 1e300\n").unwrap_err();
        assert!(e.starts_with("abm.toml:2: noise.limit_rate_per_s: must be at most 1000 per second"), "{e}");
    }

    /// Issue 16: `[flows]` in an ABM patch (the example's tables), and a negative AUM, a
    /// leverage of 1 and an options row of an unknown type refused with file, line and field.
    #[test]
    fn flows_tables_are_read_and_bad_rows_refused_at_their_line() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let example = std::fs::read_to_string(root.join("examples/abm/flows.toml")).unwrap();
        let c = patch(&example).unwrap();
        assert_eq!(c.flows.leveraged_tokens[0].name, "BTC3L");
        assert_eq!(c.flows.dealers.as_ref().unwrap().options.len(), 21);
        let token = "[[flows.leveraged_tokens]]\nname = \"BTC3L\"\nmarket = 0\nleverage = 3.0\n\
                     aum_usd = 1e6\nintraday_move = 0.1111\nintraday_reduce_only = true\n";
        assert_eq!(patch(token).unwrap().flows.leveraged_tokens[0].aum_usd, 1e6);
        let e = patch(&token.replace("aum_usd = 1e6", "aum_usd = -1e6")).unwrap_err();
        assert!(e.starts_with("abm.toml:5: flows.leveraged_tokens[0].aum_usd: must be a positive"), "{e}");
        let e = patch(&token.replace("leverage = 3.0", "leverage = 1.0")).unwrap_err();
        assert!(
            e.starts_with("abm.toml:4: flows.leveraged_tokens[0].leverage: must be a finite number > 1"),
            "{e}"
        );
        let option = "[flows.dealers]\nvol = 0.6\nhedge_ratio = 1.0\nrebalance_interval_s = 5.0\n\
                      min_trade_usd = 1000.0\n[[flows.dealers.options]]\nmarket = 0\nstrike = 55000.0\n\
                      expiry_years = 0.1\noption_type = \"straddle\"\nopen_interest = 10.0\ndealer_sign = -1\n";
        let e = patch(option).unwrap_err();
        assert!(
            e.starts_with("abm.toml:10: flows.dealers.options[0].option_type: unknown variant `straddle`"),
            "{e}"
        );
        let e = patch(&option.replace("market = 0", "market = 2").replace("straddle", "put")).unwrap_err();
        assert!(e.contains("flows.dealers.options[0].market: unknown market"), "{e}");
    }

    /// `[flows.dealers] options_csv`, the scenario file's form: the example's 21 inline rows
    /// written as an options CSV (days = years × 365) load to the same rows; a bad CSV row is
    /// refused at the CSV's own line and column; inline rows and a CSV together are refused at the
    /// patch's line.
    #[test]
    fn dealers_options_read_from_an_options_csv() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let example = std::fs::read_to_string(root.join("examples/abm/flows.toml")).unwrap();
        let inline = patch(&example).unwrap();
        let rows = &inline.flows.dealers.as_ref().unwrap().options;
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("market,strike,expiry_days,type,open_interest,dealer_sign\n");
        for o in rows {
            let kind = if o.option_type == liq_domain::OptionType::Call { "call" } else { "put" };
            csv += &format!(
                "BTCUSDT,{},{},{kind},{},{}\n",
                o.strike,
                o.expiry_years * 365.0,
                o.open_interest,
                o.dealer_sign
            );
        }
        std::fs::write(dir.path().join("dealers.csv"), &csv).unwrap();
        let head = example.split("[[flows.dealers.options]]").next().unwrap();
        let with_csv = head.replace("[flows.dealers]\n", "[flows.dealers]\noptions_csv = \"dealers.csv\"\n");
        let file = dir.path().join("abm.toml");
        std::fs::write(&file, &with_csv).unwrap();
        let c = load(Some(&file)).unwrap();
        let read = &c.flows.dealers.as_ref().unwrap().options;
        assert_eq!(read.len(), 21);
        for (a, b) in read.iter().zip(rows) {
            assert_eq!(
                (a.market, a.strike, a.option_type, a.open_interest, a.dealer_sign),
                (b.market, b.strike, b.option_type, b.open_interest, b.dealer_sign)
            );
            assert!(
                (a.expiry_years - b.expiry_years).abs() < 1e-15,
                "{} vs {}",
                a.expiry_years,
                b.expiry_years
            );
        }
        assert_eq!(options_csv_input(Some(&file)), Some(dir.path().join("dealers.csv")));
        // Row 3 of the CSV (its line 4) names a market the ABM does not trade.
        let bad = csv.replacen("BTCUSDT", "ETHUSDT", 3).replacen("ETHUSDT", "BTCUSDT", 2);
        std::fs::write(dir.path().join("dealers.csv"), bad).unwrap();
        let e = load(Some(&file)).unwrap_err().to_string();
        assert!(e.contains("dealers.csv") && e.contains(":4") && e.contains("market"), "{e}");
        // Both forms at once.
        let both = example.replace("[flows.dealers]\n", "[flows.dealers]\noptions_csv = \"dealers.csv\"\n");
        let line = both.lines().position(|l| l.starts_with("options_csv")).unwrap() + 1;
        let e = patch(&both).unwrap_err();
        assert!(
            e.starts_with(&format!("abm.toml:{line}: flows.dealers.options_csv: give the options inline")),
            "{e}"
        );
    }

    #[test]
    fn key_on_line_reads_headers_and_dotted_keys() {
        let t = "a = 1\n[x.y]\nb.c = \n[[arr]]\n";
        assert_eq!(key_on_line(t, 1), "a");
        assert_eq!(key_on_line(t, 2), "x.y");
        assert_eq!(key_on_line(t, 3), "x.y.b.c");
        assert_eq!(key_on_line(t, 4), "arr");
        assert_eq!(edit_distance("sise_lots", "size_lots"), 1);
    }
}
