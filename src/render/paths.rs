//! Where each thing lives in the output: site paths (`/platforms/netflix/`) and their files.

use jiff::civil::Date;

pub fn platforms() -> String {
    "/platforms/".into()
}
pub fn platform(p: &str) -> String {
    format!("/platforms/{p}/")
}
pub fn document(p: &str, d: &str) -> String {
    format!("/platforms/{p}/{d}/")
}
pub fn version(p: &str, d: &str, date: Date) -> String {
    format!("/platforms/{p}/{d}/{date}/")
}
pub fn section(p: &str, d: &str, anchor: &str) -> String {
    format!("/platforms/{p}/{d}/sections/{anchor}/")
}
pub fn change(p: &str, key: &str) -> String {
    format!("/platforms/{p}/changes/{key}/")
}
pub fn topics() -> String {
    "/topics/".into()
}
pub fn topic(t: &str) -> String {
    format!("/topics/{t}/")
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
    format!("/{slug}/")
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
