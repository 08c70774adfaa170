//! Word boundaries (Unicode's UAX #29) for the word diff and word counts, with a fast path for
//! cutting ASCII text, where the rules come down to a few byte classes.
//!
//! `unicode-segmentation` looks each character up in Unicode's tables; policies are nearly all
//! ASCII, and cutting them for the word diff was a twentieth of a build. The ASCII rules below
//! give the same pieces (a property test compares them).

use unicode_segmentation::UnicodeSegmentation;

/// `s` cut at its word boundaries, every piece kept (words, spaces, punctuation), as
/// `split_word_bounds` cuts it.
pub fn word_bounds(s: &str) -> Vec<&str> {
    if !s.is_ascii() {
        return s.split_word_bounds().collect();
    }
    let mut out = Vec::with_capacity(s.len() / 3 + 1);
    ascii_segments(s, |piece| out.push(piece));
    out
}

/// How many words `s` has: the pieces between word boundaries that have a letter or digit.
/// (`unicode_words` is quick at this already: it skips ahead by itself.)
pub fn count_words(s: &str) -> usize {
    s.unicode_words().count()
}

/// Calls `f` with each piece of ASCII `s` between word boundaries, in order.
fn ascii_segments<'a>(s: &'a str, mut f: impl FnMut(&'a str)) {
    let b = s.as_bytes();
    if b.is_empty() {
        return;
    }
    let class_at = |i: usize| {
        b.get(i)
            .map_or(Class::Other, |&c| CLASSES[usize::from(c & 0x7f)])
    };
    let mut start = 0;
    // The classes of the two bytes before the boundary looked at, and the two after it.
    let (mut left2, mut left) = (Class::Other, class_at(0));
    let (mut right, mut right2) = (class_at(1), class_at(2));
    for i in 1..b.len() {
        if breaks(left2, left, right, right2) {
            f(&s[start..i]);
            start = i;
        }
        (left2, left, right, right2) = (left, right, right2, class_at(i + 2));
    }
    f(&s[start..]);
}

/// The Word_Break property of an ASCII byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cr,
    Lf,
    /// Vertical tab and form feed.
    Newline,
    /// The space (not the tab).
    Space,
    Letter,
    Digit,
    /// `_`
    Underscore,
    /// `:`
    MidLetter,
    /// `,` and `;`
    MidNum,
    /// `.`
    MidNumLet,
    /// `'`
    SingleQuote,
    Other,
}

/// The class of each ASCII byte.
const CLASSES: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = class(b as u8);
        b += 1;
    }
    table
};

const fn class(b: u8) -> Class {
    match b {
        b'\r' => Class::Cr,
        b'\n' => Class::Lf,
        0x0b | 0x0c => Class::Newline,
        b' ' => Class::Space,
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' => Class::MidNumLet,
        b'\'' => Class::SingleQuote,
        _ => Class::Other,
    }
}

/// Whether there is a word boundary between `left` and `right`, with one more character of
/// context on each side (rules WB3 to WB13b; the others need characters beyond ASCII).
#[inline]
fn breaks(left2: Class, left: Class, right: Class, right2: Class) -> bool {
    use Class::*;
    let newline = |c| matches!(c, Cr | Lf | Newline);
    let letter = |c| c == Letter;
    let digit = |c| c == Digit;
    // Between letters: `:`, `.` and `'`; between digits: `,`, `;`, `.` and `'`.
    let mid_letter = |c| matches!(c, MidLetter | MidNumLet | SingleQuote);
    let mid_num = |c| matches!(c, MidNum | MidNumLet | SingleQuote);
    if left == Cr && right == Lf {
        return false; // WB3
    }
    if newline(left) || newline(right) {
        return true; // WB3a, WB3b
    }
    let joined = (left == Space && right == Space) // WB3d
        || (letter(left) && letter(right)) // WB5
        || (letter(left) && mid_letter(right) && letter(right2)) // WB6
        || (letter(left2) && mid_letter(left) && letter(right)) // WB7
        || (digit(left) && digit(right)) // WB8
        || (letter(left) && digit(right)) // WB9
        || (digit(left) && letter(right)) // WB10
        || (digit(left2) && mid_num(left) && digit(right)) // WB11
        || (digit(left) && mid_num(right) && digit(right2)) // WB12
        || (matches!(left, Letter | Digit | Underscore) && right == Underscore) // WB13a
        || (left == Underscore && matches!(right, Letter | Digit)); // WB13b
    !joined
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]

        /// ASCII text is cut as unicode-segmentation cuts it.
        #[test]
        fn ascii_words_are_unicode_words(
            s in "([a-z]|[A-Z]|[0-9]|[ .,:;'_\"\\-\t\r\n\x0b\x0c!?()*#]|don't|3.14|a.b|1,000|x_1|  )*"
        ) {
            let expected: Vec<&str> = s.split_word_bounds().collect();
            proptest::prop_assert_eq!(word_bounds(&s), expected, "{:?}", s);
        }
    }

    #[test]
    fn text_beyond_ascii_goes_to_unicode_segmentation() {
        let s = "Les données d'un « compte » 3,5 fois";
        assert_eq!(word_bounds(s), s.split_word_bounds().collect::<Vec<_>>());
    }
}
