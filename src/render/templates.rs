//! Tera templates: the built-in theme compiled into the binary, overridden by the site's theme.

use std::path::Path;

use tera::Tera;

use crate::error::{Diagnostic, Diagnostics};

/// The built-in theme's templates: (name, source).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "diff.html",
        include_str!("../../themes/default/templates/diff.html"),
    ),
    (
        "topic_changes.html",
        include_str!("../../themes/default/templates/topic_changes.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "platforms.html",
        include_str!("../../themes/default/templates/platforms.html"),
    ),
    (
        "platform.html",
        include_str!("../../themes/default/templates/platform.html"),
    ),
    (
        "document.html",
        include_str!("../../themes/default/templates/document.html"),
    ),
    (
        "version.html",
        include_str!("../../themes/default/templates/version.html"),
    ),
    (
        "section.html",
        include_str!("../../themes/default/templates/section.html"),
    ),
    (
        "change.html",
        include_str!("../../themes/default/templates/change.html"),
    ),
    (
        "topics.html",
        include_str!("../../themes/default/templates/topics.html"),
    ),
    (
        "topic.html",
        include_str!("../../themes/default/templates/topic.html"),
    ),
    (
        "faq.html",
        include_str!("../../themes/default/templates/faq.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "feeds.html",
        include_str!("../../themes/default/templates/feeds.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
];

/// An internal template: one change record's list item, rendered by the theme's own
/// `change_item` macro once per record (see `render::ListedChange`). Its name, with a `/`,
/// cannot be a theme's file.
pub const CHANGE_ITEM: &str = "termtrail/change_item.html";
const CHANGE_ITEM_SOURCE: &str =
    r#"{% import "macros.html" as m %}{{ m::change_item(c=c, show_platform=show_platform) }}"#;

/// An internal template: one comparison excerpt, rendered by the theme's own `excerpt` macro
/// once per excerpt (see `render::ListedExcerpt`).
pub const EXCERPT: &str = "termtrail/excerpt.html";
const EXCERPT_SOURCE: &str = r#"{% import "macros.html" as m %}{{ m::excerpt(e=e) }}"#;

/// The built-in theme's static files: (output path, bytes).
pub const BUILTIN_ASSETS: &[(&str, &[u8])] = &[
    (
        "assets/style.css",
        include_bytes!("../../themes/default/static/assets/style.css"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/static/assets/search.js"),
    ),
];

/// Compiles the built-in templates, then the site theme's templates of the same names over them.
pub fn load(root: &Path, theme: &str) -> Result<Tera, Diagnostics> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let mut sources: Vec<(String, String)> = BUILTIN
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let dir = root.join("themes").join(theme).join("templates");
    let mut diags = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut names: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect();
        names.sort();
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A template (or the theme's folder) may be a link that leaves the site: refused.
            let inside = path
                .canonicalize()
                .ok()
                .zip(root.canonicalize().ok())
                .is_some_and(|(p, r)| p.starts_with(r));
            if !inside {
                diags.push(
                    Diagnostic::error(
                        format!("themes/{theme}/templates/{name}"),
                        "symbolic link points outside the site; it is not followed",
                    )
                    .help("copy the template into the theme instead of linking to it"),
                );
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(src) => match sources.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = src,
                    None => sources.push((name, src)),
                },
                Err(e) => diags.push(Diagnostic::error(
                    format!("themes/{theme}/templates/{name}"),
                    format!("cannot read: {e}"),
                )),
            }
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }
    sources.push((CHANGE_ITEM.to_string(), CHANGE_ITEM_SOURCE.to_string()));
    sources.push((EXCERPT.to_string(), EXCERPT_SOURCE.to_string()));
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| {
            let file = template_file(&e, theme);
            Diagnostics(vec![Diagnostic::error(file, describe(&e))
                .help("fix the template syntax; see the Tera documentation")])
        })?;
    tera.register_filter("human_date", human_date);
    tera.register_filter("nest", super::nest::NestFilter);
    // Tera's default also escapes `/`, which is safe but turns every URL into `&#x2F;` noise.
    tera.set_escape_fns(
        crate::markdown::escape_html,
        crate::markdown::escape_html_to,
    );
    Ok(tera)
}

fn template_file(e: &tera::Error, theme: &str) -> String {
    let msg = e.to_string();
    let name = msg.split('\'').nth(1).unwrap_or("template");
    format!("themes/{theme}/templates/{name}")
}

/// A Tera error with its causes, which carry the line and the real message.
pub fn describe(e: &tera::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// `2026-01-15` → `15 January 2026`.
fn human_date(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let s = value.as_str().unwrap_or_default();
    match s.parse::<jiff::civil::Date>() {
        Ok(d) => Ok(tera::Value::String(d.strftime("%-d %B %Y").to_string())),
        Err(_) => Ok(value.clone()),
    }
}
