//! Site settings: `site.yaml`, validated, with the base URL split into origin and path.

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::yaml;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    output_dir: Option<String>,
    #[serde(default)]
    feed_limit: Option<usize>,
    #[serde(default)]
    comparison_limit: Option<usize>,
}

/// The site's settings, with defaults applied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteConfig {
    pub title: String,
    /// The base URL without a trailing slash, e.g. `https://example.org/atlas`.
    pub base_url: String,
    /// Scheme and host, e.g. `https://example.org`.
    #[serde(skip)]
    pub origin: String,
    /// The path part, `""` or e.g. `/atlas` (no trailing slash).
    pub base_path: String,
    pub description: String,
    pub language: String,
    pub author: String,
    pub theme: String,
    pub output_dir: String,
    pub feed_limit: usize,
    pub comparison_limit: usize,
}

impl SiteConfig {
    /// Parses `site.yaml`'s text; `file` names it in diagnostics.
    pub fn parse(src: &str, file: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let raw: RawConfig = yaml::parse(src, file, 1, src).map_err(|d| vec![d])?;
        let mut errors = Vec::new();
        let at = |key: &str| yaml::key_position(src, key);
        if raw.title.trim().is_empty() {
            errors.push(
                Diagnostic::error(file, "`title` is empty")
                    .at_opt(at("title"))
                    .help("give the site a name")
                    .with_source(src),
            );
        }
        let base = raw.base_url.trim().trim_end_matches('/').to_string();
        let (origin, base_path) = match split_base_url(&base) {
            Some(parts) => parts,
            None => {
                errors.push(
                    Diagnostic::error(
                        file,
                        format!(
                            "`base_url` must be an absolute http(s) URL, not `{}`",
                            raw.base_url
                        ),
                    )
                    .at_opt(at("base_url"))
                    .help("write it like `https://example.org` or `https://example.org/atlas`")
                    .with_source(src),
                );
                (String::new(), String::new())
            }
        };
        let theme = raw.theme.unwrap_or_else(|| "default".into());
        if !crate::content::is_slug(&theme) {
            errors.push(
                Diagnostic::error(file, format!("theme `{theme}` is not a folder name"))
                    .at_opt(at("theme"))
                    .help("use the name of a folder under themes/, e.g. `default`")
                    .with_source(src),
            );
        }
        let output_dir = raw.output_dir.unwrap_or_else(|| "public".into());
        if output_dir.trim().is_empty()
            || output_dir.split(['/', '\\']).any(|p| p == "..")
            || output_dir.starts_with('/')
        {
            errors.push(
                Diagnostic::error(file, format!("`output_dir` must be a folder inside the site, not `{output_dir}`"))
                    .at_opt(at("output_dir"))
                    .help("use a relative path such as `public`; use `--output` on the command line for other places")
                    .with_source(src),
            );
        }
        let feed_limit = raw.feed_limit.unwrap_or(50);
        if feed_limit == 0 {
            errors.push(
                Diagnostic::error(file, "`feed_limit` must be at least 1")
                    .at_opt(at("feed_limit"))
                    .with_source(src),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SiteConfig {
            author: raw
                .author
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            base_url: base,
            origin,
            base_path,
            description: raw.description,
            language: raw.language.unwrap_or_else(|| "en".into()),
            theme,
            output_dir,
            feed_limit,
            comparison_limit: raw.comparison_limit.unwrap_or(6),
        })
    }

    /// Replaces the base URL (for `--base-url` and `serve`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let base = url.trim().trim_end_matches('/').to_string();
        let (origin, path) = split_base_url(&base)
            .ok_or_else(|| format!("`{url}` is not an absolute http(s) URL"))?;
        self.base_url = base;
        self.origin = origin;
        self.base_path = path;
        Ok(())
    }

    /// The absolute URL of a site path such as `/platforms/netflix/`.
    pub fn permalink(&self, path: &str) -> String {
        [self.base_url.as_str(), path].concat()
    }

    /// The root-relative URL of a site path, with the base path in front.
    pub fn url(&self, path: &str) -> String {
        [self.base_path.as_str(), path].concat()
    }
}

/// Splits `https://host[:port]/path` into (`https://host[:port]`, `/path`).
fn split_base_url(url: &str) -> Option<(String, String)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let scheme_len = url.len() - rest.len();
    let host_end = rest.find('/').unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.is_empty()
        || host.contains(char::is_whitespace)
        || rest.contains(['?', '#', '"', '<', '>', ' '])
    {
        return None;
    }
    Some((
        url[..scheme_len + host_end].to_string(),
        rest[host_end..].to_string(),
    ))
}

/// Whether `s` is an absolute http(s) URL with a host.
pub fn is_http_url(s: &str) -> bool {
    split_base_url(s.trim_end_matches('/')).is_some() || {
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or("");
        !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_with_path() {
        assert_eq!(
            split_base_url("https://example.org/atlas"),
            Some(("https://example.org".into(), "/atlas".into()))
        );
        assert_eq!(
            split_base_url("http://127.0.0.1:1111"),
            Some(("http://127.0.0.1:1111".into(), "".into()))
        );
        assert_eq!(split_base_url("ftp://x"), None);
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(is_http_url("https://help.netflix.com/legal/termsofuse?x=1"));
    }
}
