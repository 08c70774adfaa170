//! Where each thing lives in the output: site paths (`/platforms/netflix/`) and their files.
//!
//! Paths are made for every link on every page: they are joined with `concat`, which takes a
//! fraction of the time `format!` does.

use jiff::civil::Date;

pub fn platforms() -> String {
    "/platforms/".into()
}
pub fn platform(p: &str) -> String {
    ["/platforms/", p, "/"].concat()
}
pub fn document(p: &str, d: &str) -> String {
    ["/platforms/", p, "/", d, "/"].concat()
}
pub fn version(p: &str, d: &str, date: Date) -> String {
    ["/platforms/", p, "/", d, "/", &date_text(date), "/"].concat()
}
pub fn section(p: &str, d: &str, anchor: &str) -> String {
    ["/platforms/", p, "/", d, "/sections/", anchor, "/"].concat()
}
pub fn change(p: &str, key: &str) -> String {
    ["/platforms/", p, "/changes/", key, "/"].concat()
}
pub fn topics() -> String {
    "/topics/".into()
}
pub fn topic(t: &str) -> String {
    ["/topics/", t, "/"].concat()
}
/// Page `page` (from 1) of the list of every change record about a topic.
pub fn topic_changes(t: &str, page: usize) -> String {
    if page <= 1 {
        format!("/topics/{t}/changes/")
    } else {
        format!("/topics/{t}/changes/{page}/")
    }
}
pub fn page(slug: &str) -> String {
    ["/", slug, "/"].concat()
}

/// `date` as `YYYY-MM-DD`, exactly as its `Display` writes it, without going through the
/// formatter (paths with dates are made for every version link on every page).
pub fn date_text(date: Date) -> String {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if !(0..=9999).contains(&y) {
        return date.to_string(); // signed six-digit years
    }
    let digit = |n: i16| char::from(b'0' + n as u8);
    let mut s = String::with_capacity(10);
    for n in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10] {
        s.push(digit(n));
    }
    for n in [i16::from(m), i16::from(d)] {
        s.push('-');
        s.push(digit(n / 10));
        s.push(digit(n % 10));
    }
    s
}

/// The file written for a site path: `/x/` is `x/index.html`, `/` is `index.html`.
pub fn file_for(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_text_is_what_display_writes() {
        let mut day = Date::constant(-3, 1, 1);
        let last = Date::constant(9999, 12, 31);
        let mut checked = 0;
        while day <= last {
            assert_eq!(date_text(day), day.to_string());
            checked += 1;
            // Every day near the edges of four-digit years, every 13th elsewhere.
            let step = if day.year() < 3 || day.year() > 9997 {
                1
            } else {
                13
            };
            match day.checked_add(jiff::Span::new().days(step)) {
                Ok(next) => day = next,
                Err(_) => break, // past the last day jiff has
            }
        }
        assert!(checked > 250_000, "{checked}");
    }
}
