//! Reading an Open Terms Archive versions repository: one commit, one version.
//!
//! Layout: `<Service Name>/<Terms Type>.md` (a multi-document terms type is
//! `<Terms Type> #<document id>.md`). Commit subjects say what a commit is: `First record of`,
//! `Record new changes of` (formerly `Start tracking`, `Update`) record a change at the source;
//! `Apply technical or declaration upgrade on` (formerly `Refilter`) re-extracts an unchanged
//! source with new rules, so it is no change to the terms and is skipped. The commit date is the
//! capture date (the engine sets it to the fetch date). Git is read with the `git` command.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use jiff::civil::Date;

use crate::error::Error;

/// Subjects of commits that re-extract a version without any change at the source.
pub const TECHNICAL_PREFIXES: &[&str] = &["Apply technical or declaration upgrade on", "Refilter"];

/// One recorded version of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub service: String,
    pub terms_type: String,
    /// Path in the repository.
    pub path: String,
    pub commit: String,
    pub date: Date,
}

/// The versions to import, oldest first per document, and what was left out.
#[derive(Debug, Default)]
pub struct History {
    /// Keyed by (service, terms type); one version per day (the day's last).
    pub documents: BTreeMap<(String, String), Vec<Version>>,
    pub technical_skipped: usize,
    pub same_day_skipped: usize,
    /// Every service and terms type in the repository, chosen or not (for messages).
    pub all_services: std::collections::BTreeSet<String>,
    pub all_types: std::collections::BTreeSet<String>,
}

impl History {
    pub fn len(&self) -> usize {
        self.documents.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo).env("GIT_TERMINAL_PROMPT", "0");
    c
}

fn git_error(what: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::Refused("the `git` command was not found; install git to import a repository".into())
    } else {
        Error::io(what, e)
    }
}

/// Reads the history of the repository at `repo`, keeping the chosen services and terms types
/// (all when the lists are empty).
pub fn read_history(repo: &Path, services: &[String], types: &[String]) -> Result<History, Error> {
    let check = git(repo)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .map_err(|e| git_error("cannot run git", e))?;
    if !check.status.success() {
        return Err(Error::Refused(format!(
            "{} is not a git repository: pass the path of a local clone of an Open Terms Archive versions repository (e.g. `git clone https://github.com/OpenTermsArchive/contrib-versions`)",
            repo.display()
        )));
    }
    let out = git(repo)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--reverse",
            "--no-merges",
            "--no-renames",
            "--format=%x1e%H%x1f%cI%x1f%s",
            "--name-status",
            "-z",
        ])
        .output()
        .map_err(|e| git_error("cannot run git log", e))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        if msg.contains("does not have any commits") {
            return Ok(History::default());
        }
        return Err(Error::Refused(format!("git log failed: {}", msg.trim())));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut history = History::default();
    let mut all: BTreeMap<(String, String), Vec<Version>> = BTreeMap::new();
    for record in text.split('\u{1e}').filter(|r| !r.is_empty()) {
        let (header, files) = record.split_once('\0').unwrap_or((record, ""));
        let mut fields = header.splitn(3, '\u{1f}');
        let (Some(commit), Some(date), Some(subject)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(date) = date.get(..10).and_then(crate::content::parse_date) else {
            continue;
        };
        let mut tokens = files.trim_start_matches('\n').split('\0');
        let mut changed = Vec::new();
        while let (Some(status), Some(path)) = (tokens.next(), tokens.next()) {
            if status.is_empty() || status.starts_with('D') {
                continue;
            }
            let Some((service, file)) = path.split_once('/') else {
                continue;
            };
            let Some(terms_type) = file.strip_suffix(".md") else {
                continue;
            };
            if file.contains('/') || service.starts_with('.') || terms_type.is_empty() {
                continue;
            }
            changed.push((
                service.to_string(),
                terms_type.to_string(),
                path.to_string(),
            ));
        }
        let technical = TECHNICAL_PREFIXES.iter().any(|p| subject.starts_with(p));
        for (service, terms_type, path) in changed {
            history.all_services.insert(service.clone());
            history.all_types.insert(
                terms_type
                    .split_once(" #")
                    .map(|(t, _)| t)
                    .unwrap_or(&terms_type)
                    .to_string(),
            );
            if !services.is_empty() && !services.iter().any(|s| s == &service) {
                continue;
            }
            if !types.is_empty()
                && !types
                    .iter()
                    .any(|t| t == &terms_type || terms_type.starts_with(&format!("{t} #")))
            {
                continue;
            }
            if technical {
                history.technical_skipped += 1;
                continue;
            }
            all.entry((service.clone(), terms_type.clone()))
                .or_default()
                .push(Version {
                    service,
                    terms_type,
                    path,
                    commit: commit.to_string(),
                    date,
                });
        }
    }
    for (key, versions) in all {
        let mut kept: Vec<Version> = Vec::with_capacity(versions.len());
        for v in versions {
            match kept.last_mut() {
                // Commits of a day are in order: the day's last one is its version.
                Some(last) if last.date == v.date => {
                    *last = v;
                    history.same_day_skipped += 1;
                }
                // A commit dated before the one before it (a rewritten history): keep order by
                // date, the later commit winning.
                Some(last) if last.date > v.date => {
                    history.same_day_skipped += 1;
                }
                _ => kept.push(v),
            }
        }
        history.documents.insert(key, kept);
    }
    Ok(history)
}

/// Reads files at commits through one `git cat-file --batch` process.
pub struct BlobReader {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl BlobReader {
    pub fn new(repo: &Path) -> Result<Self, Error> {
        let mut child = git(repo)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| git_error("cannot run git cat-file", e))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(BlobReader {
            child,
            stdin,
            stdout,
        })
    }

    /// The text of `path` at `commit`.
    pub fn read(&mut self, commit: &str, path: &str) -> Result<String, Error> {
        let io = |e| Error::io("cannot read from git cat-file", e);
        writeln!(self.stdin, "{commit}:{path}").map_err(io)?;
        self.stdin.flush().map_err(io)?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(io)?;
        let parts: Vec<&str> = header.split_whitespace().collect();
        if parts.len() != 3 || parts[1] != "blob" {
            return Err(Error::Refused(format!(
                "git has no file {path} at commit {commit} ({})",
                header.trim()
            )));
        }
        let size: usize = parts[2]
            .parse()
            .map_err(|_| Error::Refused(format!("unexpected git output: {}", header.trim())))?;
        let mut buf = vec![0u8; size + 1];
        self.stdout.read_exact(&mut buf).map_err(io)?;
        buf.pop();
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A slug from a name: ASCII letters (common accents folded) and digits, other runs as `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'ś' | 'š' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'ř' => "r",
            'ť' => "t",
            'ď' => "d",
            _ => "",
        };
        if !folded.is_empty() {
            out.push_str(folded);
            dash = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    let s = out.trim_matches('-').to_string();
    if s.is_empty() {
        "untitled".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Amazon Prime"), "amazon-prime");
        assert_eq!(slug("Claude.ai"), "claude-ai");
        assert_eq!(slug("Décathlon"), "decathlon");
        assert_eq!(slug("Terms of Service #eu"), "terms-of-service-eu");
        assert_eq!(slug("微信"), "untitled");
    }
}
