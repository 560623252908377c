//! 统一社会信用代码 (GB 32100-2015): structure and check digit.
//!
//! Eighteen characters: 登记管理部门代码 (1) + 机构类别代码 (1) + 登记管理机关行政区划码
//! (6 digits) + 主体标识码 (9) + 校验码 (1), over a 31-symbol alphabet without I O S V Z.
//! The check digit is `31 − (Σ Cᵢ·Wᵢ mod 31)`, 31 read as 0, with Wᵢ = 3^(i−1) mod 31.

/// The 31 symbols; a symbol's value is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Why a code is not a valid 统一社会信用代码; `Display` gives the Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters long (the count found).
    Length(usize),
    /// A character outside the alphabet at a 1-based position.
    BadChar { position: usize, ch: char },
    /// Positions 3–8 must be digits (the division code).
    DivisionNotDigits,
    /// The 18th character does not match the computed check digit.
    CheckDigit { expected: char, found: char },
}

impl std::fmt::Display for UsccError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsccError::Length(n) => write!(f, "统一社会信用代码应为18位，实际为{n}位"),
            UsccError::BadChar { position, ch } => write!(
                f,
                "统一社会信用代码第{position}位“{ch}”不是允许的字符（数字或除I、O、S、V、Z外的大写字母）"
            ),
            UsccError::DivisionNotDigits => {
                write!(f, "统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字")
            }
            UsccError::CheckDigit { expected, found } => write!(
                f,
                "统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{found}”"
            ),
        }
    }
}

impl std::error::Error for UsccError {}

fn value_of(b: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == b).map(|i| i as u32)
}

/// The check character for the first 17 characters (which must already be in the alphabet).
fn check_char(body: &[u8]) -> Option<char> {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &b in body {
        sum += value_of(b)? * weight;
        weight = weight * 3 % 31;
    }
    let c = (31 - sum % 31) % 31;
    Some(ALPHABET[c as usize] as char)
}

/// Validates a code as typed (surrounding whitespace trimmed, lower case accepted) and returns
/// it in canonical upper case.
pub fn validate(code: &str) -> Result<String, UsccError> {
    let code = code.trim().to_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(UsccError::Length(chars.len()));
    }
    for (i, &ch) in chars.iter().enumerate() {
        if !ch.is_ascii() || value_of(ch as u8).is_none() {
            return Err(UsccError::BadChar { position: i + 1, ch });
        }
    }
    if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
        return Err(UsccError::DivisionNotDigits);
    }
    let bytes = code.as_bytes();
    let expected = check_char(&bytes[..17]).expect("alphabet checked above");
    if expected != chars[17] {
        return Err(UsccError::CheckDigit { expected, found: chars[17] });
    }
    Ok(code)
}

/// Completes a 17-character body with its check character (for generating 示例数据).
pub fn with_check_digit(body: &str) -> Option<String> {
    let body = body.to_uppercase();
    if body.len() != 17 {
        return None;
    }
    let c = check_char(body.as_bytes())?;
    Some(format!("{body}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Checksum fixtures from DOMAIN.md §5 (hutool tests and commonly cited public codes).
    const VALID: &[&str] = &[
        "91310110666007217T",
        "91310115591693856A",
        "914403001922038216",
        "9144030071526726XG",
        "91440300708461136T",
    ];

    #[test]
    fn accepts_the_published_fixtures() {
        for code in VALID {
            assert_eq!(validate(code).as_deref(), Ok(*code), "{code}");
        }
        assert_eq!(validate(" 91310110666007217t ").as_deref(), Ok("91310110666007217T"));
    }

    #[test]
    fn refuses_every_single_character_mutation_of_the_fixtures() {
        for code in VALID {
            let original: Vec<char> = code.chars().collect();
            for pos in 0..18 {
                for &sub in ALPHABET.iter().chain(b"IOSVZ") {
                    let sub = sub as char;
                    if sub == original[pos] {
                        continue;
                    }
                    let mut m = original.clone();
                    m[pos] = sub;
                    let m: String = m.into_iter().collect();
                    assert!(validate(&m).is_err(), "{m} (mutated from {code} at {}) accepted", pos + 1);
                }
            }
        }
    }

    #[test]
    fn reasons_name_the_position_and_the_expected_check_digit() {
        assert_eq!(validate("9131011066600721").unwrap_err(), UsccError::Length(16));
        assert_eq!(
            validate("91310110666007217O").unwrap_err(),
            UsccError::BadChar { position: 18, ch: 'O' }
        );
        assert_eq!(validate("91A10110666007217T").unwrap_err(), UsccError::DivisionNotDigits);
        let e = validate("91310110666007217A").unwrap_err();
        assert_eq!(e, UsccError::CheckDigit { expected: 'T', found: 'A' });
        assert_eq!(e.to_string(), "统一社会信用代码校验位错误：第18位应为“T”，实际为“A”");
    }

    #[test]
    fn check_digit_thirty_is_y_and_thirty_one_is_zero() {
        // Bodies whose weighted sum is ≡ 1 and ≡ 0 (mod 31).
        assert_eq!(with_check_digit("10000000000000000").as_deref(), Some("10000000000000000Y"));
        assert_eq!(with_check_digit("00000000000000000").as_deref(), Some("000000000000000000"));
        assert_eq!(with_check_digit("9131011066600721").as_deref(), None);
        assert_eq!(with_check_digit("91310110666007217").as_deref(), Some("91310110666007217T"));
    }
}
