//! The entry template as people really handle it: opened and saved again by another office suite.
//! LibreOffice (headless `soffice --convert-to`) re-saves the template the app wrote, and the app
//! must read the filled-in values back unchanged — from xlsx and from ods — while the sheet
//! protection and the number validation survive the round trip.
//!
//! Needs `soffice` (Debian: `libreoffice-calc`, installed by `scripts/install-deps`). Without it the
//! test prints a skip notice, unless `NENGJI_REQUIRE_OFFICE=1` (set by `scripts/test`), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nengji_office::template::{read_entry_table, write_entry_template, TemplateRow, TemplateSpec, ENTRY_HEADER};

fn soffice() -> Option<String> {
    let candidates = std::env::var("NENGJI_SOFFICE").ok().into_iter().chain(["soffice".to_string(), "libreoffice".to_string()]);
    for c in candidates {
        let ok = Command::new(&c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return Some(c);
        }
    }
    None
}

/// A scratch directory with its own LibreOffice profile, so parallel runs never share one.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("nengji-lo-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir.join("out")).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `soffice --headless --convert-to <format>` on `input`; returns the converted file.
fn convert(soffice: &str, scratch: &Scratch, input: &Path, format: &str, out_sub: &str) -> PathBuf {
    let out_dir = scratch.0.join(out_sub);
    std::fs::create_dir_all(&out_dir).unwrap();
    let profile = format!("file://{}", scratch.0.join("profile").display());
    let mut child = Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--norestore", "--nolockcheck", "--convert-to", format, "--outdir"])
        .arg(&out_dir)
        .arg(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start soffice");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("soffice --convert-to {format} took more than 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let stem = input.file_stem().unwrap().to_string_lossy();
    let ext = format.split(':').next().unwrap();
    let converted = out_dir.join(format!("{stem}.{ext}"));
    assert!(
        status.success() && converted.exists(),
        "soffice --convert-to {format} failed ({status}):\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    converted
}

fn spec() -> TemplateSpec {
    let row = |zone: &str, zname: &str, ind: &str, iname: &str, unit: &str, kind: &str| TemplateRow {
        zone_code: zone.into(),
        zone_name: zname.into(),
        indicator_code: ind.into(),
        indicator_name: iname.into(),
        unit: unit.into(),
        kind_label: kind.into(),
        ..TemplateRow::default()
    };
    TemplateSpec {
        title: "2021年1月主要经济指标填报表".into(),
        period: "2021-01".into(),
        rows: vec![
            TemplateRow {
                value: Some(123.45),
                prior_comparable: Some(110.0),
                last_year: Some(108.2),
                comment: "含新入规企业3家 & <说明>".into(),
                ..row("yanjiao", "燕郊高新区", "revenue", "主营业务收入", "亿元", "累计")
            },
            TemplateRow { last_year: Some(5600.0), ..row("yanjiao", "燕郊高新区", "fdi", "实际利用外资", "万美元", "累计") },
            TemplateRow { value: Some(412.0), ..row("sanhe", "三河经开区", "hitech_ent", "高新技术企业数", "家", "期末") },
            TemplateRow { value: Some(0.000123), prior_comparable: Some(98765432.1), ..row("sanhe", "三河经开区", "fai", "固定资产投资", "亿元", "累计") },
        ],
    }
}

fn check_values(file: &Path) {
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    let t = read_entry_table(&name, &std::fs::read(file).unwrap()).unwrap();
    assert_eq!(t.sheet, "填报", "{name}");
    assert_eq!(t.header, ENTRY_HEADER, "{name}");
    assert_eq!(t.rows.len(), 4, "{name}: {:?}", t.rows);
    let cells = |r: usize| -> Vec<&str> { (0..11).map(|c| t.rows[r].get(c).map(String::as_str).unwrap_or("")).collect() };
    assert_eq!(
        cells(0),
        ["yanjiao", "燕郊高新区", "revenue", "主营业务收入", "亿元", "累计", "2021-01", "108.2", "123.45", "110", "含新入规企业3家 & <说明>"],
        "{name}"
    );
    assert_eq!(cells(1)[7..], ["5600", "", "", ""], "{name}");
    assert_eq!(cells(2)[8], "412", "{name}");
    assert_eq!(cells(3)[8..10], ["0.000123", "98765432.1"], "{name}");
}

#[test]
fn template_survives_a_libreoffice_round_trip() {
    let Some(soffice) = soffice() else {
        if std::env::var("NENGJI_REQUIRE_OFFICE").as_deref() == Ok("1") {
            panic!("NENGJI_REQUIRE_OFFICE=1 but LibreOffice (soffice) is not installed: run scripts/install-deps as root");
        }
        eprintln!("SKIPPED template_survives_a_libreoffice_round_trip: soffice not found (install libreoffice-calc; NENGJI_REQUIRE_OFFICE=1 makes this a failure)");
        return;
    };
    let scratch = Scratch::new();
    let ours = scratch.0.join("entry.xlsx");
    std::fs::write(&ours, write_entry_template(&spec()).unwrap()).unwrap();
    check_values(&ours);

    // Opened and saved again as xlsx, and as ods (what LibreOffice users may upload).
    let resaved = convert(&soffice, &scratch, &ours, "xlsx:Calc MS Excel 2007 XML", "xlsx");
    check_values(&resaved);
    let ods = convert(&soffice, &scratch, &ours, "ods", "ods");
    check_values(&ods);

    // What LibreOffice understood of the re-saved file, as flat XML: the entry sheet is protected,
    // some cells are unprotected (the inputs), and the decimal ≥ 0 validation is there.
    let fods = convert(&soffice, &scratch, &resaved, "fods", "fods");
    let xml = std::fs::read_to_string(&fods).unwrap();
    let entry = xml.split("<table:table table:name=\"填报\"").nth(1).expect("填报 sheet in fods");
    let entry_tag = &entry[..entry.find('>').unwrap()];
    assert!(entry_tag.contains("table:protected=\"true\""), "填报 sheet protected after re-save: {entry_tag}");
    assert!(xml.contains("style:cell-protect=\"none\""), "unlocked input cells after re-save");
    let validation = xml.split("<table:content-validation ").nth(1).expect("data validation after re-save");
    let validation = &validation[..validation.find('>').unwrap()];
    assert!(
        validation.contains("cell-content-is-decimal-number()") && validation.contains("cell-content()&gt;=0"),
        "decimal ≥ 0 validation after re-save: {validation}"
    );
}
