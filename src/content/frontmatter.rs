//! Splitting a Markdown file into its YAML front matter and body, with line numbers.

use crate::error::Diagnostic;

/// A Markdown file's two parts.
pub struct FrontMatter<'a> {
    pub yaml: &'a str,
    /// The file line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// The file line of the first body line.
    pub body_line: usize,
}

/// Splits `---\n yaml \n---\n body`. The file must start with `---`.
pub fn split<'a>(src: &'a str, file: &str) -> Result<FrontMatter<'a>, Diagnostic> {
    let src_nobom = src.strip_prefix('\u{feff}').unwrap_or(src);
    let first_end = src_nobom.find('\n').unwrap_or(src_nobom.len());
    if src_nobom.trim().is_empty() {
        return Err(Diagnostic::error(file, "the file is empty")
            .at(1, 1)
            .help("write the front matter (a line `---`, the YAML fields, another `---` line), then the text"));
    }
    if src_nobom[..first_end].trim_end() != "---" {
        return Err(
            Diagnostic::error(file, "the file does not start with front matter")
                .at(1, 1)
                .help("start the file with a line `---`, the YAML fields, and another `---` line")
                .with_source(src),
        );
    }
    let after = first_end + 1;
    let rest = src_nobom.get(after..).unwrap_or("");
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body_start = (offset + line.len()).min(rest.len());
            return Ok(FrontMatter {
                yaml,
                yaml_line: 2,
                body: &rest[body_start..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, "the front matter is never closed")
        .at(1, 1)
        .help("add a line `---` after the last front-matter field")
        .with_source(src))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_lines() {
        let fm = split("---\ntitle: x\n---\nbody\n", "f").unwrap();
        assert_eq!(fm.yaml, "title: x\n");
        assert_eq!(fm.body, "body\n");
        assert_eq!(fm.body_line, 4);
        assert!(split("---\ntitle: x\n", "f").is_err());
        assert!(split("title: x\n", "f").is_err());
    }
}
