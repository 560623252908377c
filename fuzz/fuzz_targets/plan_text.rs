//! Any text pasted or uploaded as a plan (方案) through the plan parser. Beyond not panicking,
//! the parser promises never to lose text: the source it keeps has the input's non-whitespace
//! characters in order, and every heading, task and target points at text that is there.
#![no_main]
use nengji_core::plan::{self, text::is_space};

fn ink(s: &str) -> String {
    s.chars().filter(|c| !is_space(*c)).collect()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let p = plan::parse(input);
    let kept = p.source_text();
    assert_eq!(ink(&kept), ink(input), "the plan lost or reordered text");
    for (i, n) in p.outline.iter().enumerate() {
        assert!(n.paragraphs[0].text.starts_with(&n.title), "{n:?}");
        assert!(n.parent.is_none_or(|q| q < i && p.outline[q].depth + 1 == n.depth), "{n:?}");
    }
    for (i, t) in p.tasks.iter().enumerate() {
        assert_eq!(t.seq, i + 1);
        for part in t.source.split('\n') {
            assert!(kept.contains(part), "task text not in the plan: {part}");
        }
    }
    for t in &p.targets {
        assert!(kept.contains(&t.text), "target text not in the plan: {}", t.text);
        assert!(t.task.is_none_or(|s| s >= 1 && s <= p.tasks.len()));
        assert!(t.value.is_finite(), "{t:?}");
    }
    // The .docx path: the same text split into paragraphs parses without panicking too.
    let paragraphs: Vec<&str> = input.lines().collect();
    let _ = plan::parse_paragraphs(&paragraphs, &[]);
});
