//! Generates a synthetic termtrail site for benchmarks: platforms × 2 documents × versions of
//! realistic legal text, change records, topics, FAQ and pages.
//!
//! ```text
//! cargo run --release --example gen-site -- --platforms 200 --versions 6 --records 5 DIR
//! ```
//!
//! `--records` is per document, so the line above makes 200 × 2 × 5 = 2,000 change records.
//! The output is deterministic (a seeded xorshift generator, `--seed` to change it), valid
//! against CONTENT_FORMAT.md (every record's `from`/`to` names a snapshot) and about
//! 25 KB (4,000 words) per snapshot: 200 platforms × 6 versions is about 60 MB.
//! Between two versions of a document a few sections change by a sentence or two; now and then
//! a section is added, removed or renamed.
//!
//! DIR must not exist or be empty, unless `--force` is given (then DIR/content is replaced).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;

use jiff::civil::Date;
use jiff::ToSpan;

const USAGE: &str = "usage: gen-site [--platforms N] [--versions N] [--records N] [--sections N] [--seed N] [--force] DIR

  --platforms N   platforms, each with two documents (default 200)
  --versions N    versions of each document (default 6)
  --records N     change records per document (default 5)
  --sections N    sections in a document's first version (default 18)
  --seed N        seed of the generator (default 1)
  --force         write into DIR even if it is not empty (its content/ is replaced)";

/// xorshift64*: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // SplitMix64 of the seed, so that seeds 1, 2, 3 give unrelated streams (and never 0).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 32) * n as u64 >> 32) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: the register of terms of service and privacy policies.

const SUBJECTS: &[&str] = &[
    "We",
    "The Company",
    "Our service providers",
    "Our affiliates",
    "Third parties acting on our behalf",
    "Our payment processors",
    "Our advertising partners",
    "Our subprocessors",
    "The Company and its affiliates",
    "Authorised personnel",
];

const MODALS: &[&str] = &[
    "may",
    "will",
    "shall",
    "may from time to time",
    "reserve the right to",
    "will not",
    "do not",
    "may, where permitted by law,",
];

const VERBS: &[&str] = &[
    "collect",
    "process",
    "retain",
    "disclose",
    "share",
    "use",
    "transfer",
    "store",
    "analyse",
    "combine",
    "aggregate",
    "de-identify",
    "review",
    "monitor",
    "access",
    "preserve",
    "license",
    "sell",
];

const OBJECTS: &[&str] = &[
    "your personal data",
    "information about your device",
    "the content you submit",
    "usage data and log files",
    "payment and billing information",
    "your communications with customer support",
    "your precise geolocation",
    "approximate location derived from your IP address",
    "inferences drawn from your activity",
    "the prompts, files and other inputs you provide",
    "the outputs generated in response to your inputs",
    "contact details you provide when you register",
    "identifiers such as cookies and advertising IDs",
    "information we receive from third parties",
    "biometric identifiers",
    "audio recordings and transcripts",
    "your account credentials",
    "information about your household",
];

const PURPOSES: &[&str] = &[
    "to provide, maintain and improve the Services",
    "to comply with applicable law and legal process",
    "for the purposes described in this Policy",
    "to train, evaluate and improve our machine learning models",
    "to personalise the content and advertising you see",
    "to detect, prevent and investigate fraud and abuse",
    "to enforce these Terms and our other policies",
    "to communicate with you about the Services",
    "to protect the rights, property and safety of the Company, our users and the public",
    "to conduct research and develop new features",
    "to process payments and prevent chargebacks",
    "to measure the effectiveness of our marketing",
];

const CONDITIONS: &[&str] = &[
    "unless you opt out in your account settings",
    "where permitted by applicable law",
    "subject to the limitations set out in these Terms",
    "to the extent reasonably necessary",
    "only with your prior consent",
    "in accordance with our data processing agreements",
    "except as otherwise required by law",
    "for as long as your account remains active",
    "where we have a legitimate interest in doing so",
    "without notice to you, except where notice is required by law",
    "in aggregated or de-identified form",
    "on the basis of standard contractual clauses approved by the European Commission",
];

const PERIODS: &[&str] = &[
    "thirty (30) days",
    "ninety (90) days",
    "six (6) months",
    "one (1) year",
    "three (3) years",
    "seven (7) years",
    "the period required by applicable law",
];

const PARTIES: &[&str] = &[
    "you",
    "the account holder",
    "a member of your household",
    "a parent or legal guardian",
    "an administrator of your organisation",
    "a user under the age of eighteen (18)",
];

const ACTIONS: &[&str] = &[
    "access the Services",
    "create an account",
    "upload or publish content",
    "purchase a subscription",
    "use our generative AI features",
    "contact customer support",
    "link a third-party account",
    "enable location services",
    "participate in a promotion or survey",
    "share your account credentials",
];

const DEFINED: &[(&str, &str)] = &[
    ("Services", "the websites, applications, software and related services that we offer"),
    ("Content", "any text, images, audio, video, code or other material that you submit, post or display"),
    ("Personal Data", "any information relating to an identified or identifiable natural person"),
    ("Output", "any content generated by the Services in response to your Input"),
    ("Affiliate", "any entity that directly or indirectly controls, is controlled by or is under common control with the Company"),
    ("Subscription", "a paid plan that gives you access to additional features of the Services"),
    ("Household", "the persons who live at the same primary residence as the account holder"),
];

/// Section headings, each with the topic it is tagged with (if any).
const HEADINGS: &[(&str, Option<&str>)] = &[
    ("Introduction", None),
    ("Definitions", None),
    ("Information we collect", Some("data-collection")),
    ("How we use information", Some("data-collection")),
    ("Sharing and disclosure", Some("data-sharing")),
    ("Advertising and analytics", Some("data-sharing")),
    ("Artificial intelligence features", Some("ai-training")),
    (
        "Use of your content to improve our models",
        Some("ai-training"),
    ),
    ("Data retention", Some("data-retention")),
    ("Your rights and choices", Some("user-rights")),
    ("International data transfers", Some("data-sharing")),
    ("Children's privacy", Some("age-requirements")),
    ("Eligibility", Some("age-requirements")),
    ("Security", None),
    ("Location information", Some("location-data")),
    ("Cookies and similar technologies", Some("cookies")),
    ("Account registration", Some("account-sharing")),
    ("Account sharing and households", Some("account-sharing")),
    ("User content and licence", Some("content-licensing")),
    ("Intellectual property", Some("content-licensing")),
    ("Acceptable use", None),
    ("Fees, payment and renewal", Some("payments")),
    ("Cancellation and refunds", Some("payments")),
    ("Suspension and termination", Some("termination")),
    ("Disclaimer of warranties", Some("liability")),
    ("Limitation of liability", Some("liability")),
    ("Indemnification", Some("liability")),
    ("Dispute resolution and arbitration", Some("arbitration")),
    ("Class action waiver", Some("arbitration")),
    ("Governing law", None),
    ("Changes to these terms", Some("unilateral-changes")),
    ("Notices", None),
    ("Third-party services", Some("data-sharing")),
    ("Automated decision-making", Some("ai-training")),
    ("Sensitive personal data", Some("data-collection")),
    ("Contact us", None),
];

/// (slug, title, question, introduction).
const TOPICS: &[(&str, &str, &str, &str)] = &[
    ("ai-training", "AI training on user data", "Can your data or content be used to train AI models?", "Many services now train machine learning models on what their users write, upload or say. These clauses say whether they may, on which data, and whether you can refuse."),
    ("data-collection", "What data is collected", "What does the service collect about you?", "The categories of personal data a service collects, from you, from your devices and from others."),
    ("data-sharing", "Data sharing", "Who else gets your data?", "Affiliates, service providers, advertisers, governments: the clauses that say who receives your data and why."),
    ("data-retention", "Data retention", "How long is your data kept?", "Retention periods, deletion on request and what survives the closing of an account."),
    ("user-rights", "Your rights", "What can you ask the service to do with your data?", "Access, correction, deletion, portability and objection: the rights a policy grants and how to use them."),
    ("age-requirements", "Age requirements", "How old must you be?", "Minimum ages, parental consent and the special rules for children's data."),
    ("location-data", "Location data", "Does the service track where you are?", "Precise and approximate location, how it is derived and what it is used for."),
    ("cookies", "Cookies and tracking", "How are you tracked across sites and apps?", "Cookies, pixels, software development kits and advertising identifiers."),
    ("account-sharing", "Account sharing", "Who else may use your account?", "Households, extra members and the rules on sharing credentials."),
    ("content-licensing", "Licence to your content", "What rights do you give the service over what you post?", "The licence you grant when you upload content: its scope, its duration and whether it survives deletion."),
    ("payments", "Payments and renewals", "How are you charged, and can you get your money back?", "Automatic renewal, price changes, cancellation and refunds."),
    ("termination", "Termination", "When can the service close your account?", "Suspension and termination, with or without notice, and what happens to your data afterwards."),
    ("liability", "Liability", "What is the service responsible for?", "Disclaimers, caps on damages and indemnities."),
    ("arbitration", "Arbitration and class actions", "Can you take the service to court?", "Mandatory arbitration, class action waivers and the courts that have jurisdiction."),
    ("unilateral-changes", "Changes to the terms", "Can the terms change without your agreement?", "How a service announces changes to its terms and when they take effect."),
];

const NAME_START: &[&str] = &[
    "Vex", "Lum", "Quor", "Zen", "Astr", "Nov", "Brim", "Cald", "Dorn", "Elv", "Fen", "Gal", "Hux",
    "Ister", "Jov", "Kel", "Lyr", "Mor", "Nim", "Orb", "Pell", "Quill", "Rav", "Sol", "Tal", "Umb",
    "Vel", "Wyn", "Xan", "Yor", "Zeph", "Arc", "Bel", "Cor", "Del", "Eon",
];
const NAME_END: &[&str] = &[
    "ora", "ix", "io", "ent", "ara", "ly", "on", "ia", "ex", "ova", "um", "ax", "ine", "ero",
    "ify", "ato", "ia", "ence", "el", "ar",
];
const NAME_KIND: &[(&str, &str)] = &[
    ("", "social-network"),
    (" Cloud", "cloud-storage"),
    (" AI", "ai-assistant"),
    (" Pay", "payments"),
    (" Stream", "streaming"),
    (" Maps", "navigation"),
    (" Mail", "email"),
    (" Shop", "marketplace"),
    (" Chat", "messaging"),
    (" Health", "health"),
    (" Play", "gaming"),
    (" Drive", "mobility"),
];

const CHANGE_VERBS: &[&str] = &[
    "expands",
    "narrows",
    "rewrites",
    "clarifies",
    "tightens",
    "loosens",
    "adds a clause on",
    "drops its promise on",
];

const CHANGE_OBJECTS: &[&str] = &[
    "data sharing with advertising partners",
    "the training of AI models on user content",
    "how long deleted data is kept",
    "the arbitration agreement",
    "account sharing outside the household",
    "refunds for cancelled subscriptions",
    "the licence to uploaded content",
    "precise location tracking",
    "termination without notice",
    "the minimum age for an account",
    "transfers of personal data abroad",
    "the cap on its liability",
];

// ---------------------------------------------------------------------------------------------
// Text.

fn sentence(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!(
            "When it is necessary for {} to {}, {} {} {} {} {}.",
            rng.pick(PARTIES),
            rng.pick(ACTIONS),
            rng.pick(SUBJECTS)
                .to_lowercase()
                .replace("the company", "the Company"),
            rng.pick(MODALS),
            rng.pick(VERBS),
            rng.pick(OBJECTS),
            rng.pick(PURPOSES)
        ),
        1 => format!(
            "We retain {} for {} after {}, {}.",
            rng.pick(OBJECTS),
            rng.pick(PERIODS),
            rng.pick(&["you close your account", "the end of your Subscription", "your last interaction with the Services", "we receive your request"]),
            rng.pick(CONDITIONS)
        ),
        2 => {
            let (term, def) = DEFINED[rng.below(DEFINED.len())];
            format!("For the purposes of this section, \"{term}\" means {def}.")
        }
        3 => format!(
            "You may not {} in a way that {}, and we {} suspend your access {}.",
            rng.pick(ACTIONS),
            rng.pick(&["infringes the rights of others", "violates applicable law", "interferes with the operation of the Services", "circumvents any technical measure", "misrepresents your identity"]),
            rng.pick(MODALS),
            rng.pick(CONDITIONS)
        ),
        4 => format!(
            "TO THE MAXIMUM EXTENT PERMITTED BY LAW, THE COMPANY SHALL NOT BE LIABLE FOR ANY {} DAMAGES ARISING OUT OF {}.",
            rng.pick(&["INDIRECT", "INCIDENTAL", "CONSEQUENTIAL", "SPECIAL", "PUNITIVE"]),
            rng.pick(&["YOUR USE OF THE SERVICES", "ANY CONTENT POSTED BY OTHER USERS", "ANY UNAUTHORISED ACCESS TO YOUR ACCOUNT", "THESE TERMS"])
        ),
        _ => {
            let mut s = format!(
                "{} {} {} {} {}",
                rng.pick(SUBJECTS),
                rng.pick(MODALS),
                rng.pick(VERBS),
                rng.pick(OBJECTS),
                rng.pick(PURPOSES)
            );
            if rng.chance(60) {
                s.push_str(", ");
                s.push_str(rng.pick(CONDITIONS));
            }
            s.push('.');
            s
        }
    }
}

/// A section: paragraphs of sentences (a list item is a paragraph starting with "- ").
#[derive(Clone)]
struct Section {
    id: String,
    heading: String,
    topics: Vec<&'static str>,
    paragraphs: Vec<Vec<String>>,
}

impl Section {
    fn new(rng: &mut Rng, id: String, heading: &str, topic: Option<&'static str>) -> Section {
        let mut paragraphs: Vec<Vec<String>> = (0..rng.range(2, 3))
            .map(|_| (0..rng.range(2, 3)).map(|_| sentence(rng)).collect())
            .collect();
        if rng.chance(30) {
            // A list of short items.
            let items: Vec<String> = (0..rng.range(3, 5))
                .map(|_| {
                    let mut s = format!("- **{}**: ", capitalise(rng.pick(OBJECTS)));
                    s.push_str(&sentence(rng));
                    s
                })
                .collect();
            let at = rng.range(1, paragraphs.len());
            paragraphs.insert(at, items);
        }
        Section {
            id,
            heading: heading.to_string(),
            topics: topic.into_iter().collect(),
            paragraphs,
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            let list = p.first().is_some_and(|s| s.starts_with("- "));
            out.push_str(&p.join(if list { "\n" } else { " " }));
        }
        out
    }

    /// Edits a sentence or two: replaces, inserts or deletes one.
    fn edit(&mut self, rng: &mut Rng) {
        for _ in 0..rng.range(1, 2) {
            let pi = rng.below(self.paragraphs.len());
            let list = self.paragraphs[pi][0].starts_with("- ");
            let p = &mut self.paragraphs[pi];
            let si = rng.below(p.len());
            let fresh = if list {
                format!("- **{}**: {}", capitalise(rng.pick(OBJECTS)), sentence(rng))
            } else {
                sentence(rng)
            };
            match rng.below(3) {
                0 => p[si] = fresh,
                1 => p.insert(si, fresh),
                _ if p.len() > 1 => {
                    p.remove(si);
                }
                _ => p[si] = fresh,
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A block scalar: every line indented.
fn yaml_block(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(indent);
            out.push_str(line);
            out.push('\n');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The site.

struct Options {
    platforms: usize,
    versions: usize,
    records: usize,
    sections: usize,
    seed: u64,
    force: bool,
    dir: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        platforms: 200,
        versions: 6,
        records: 5,
        sections: 18,
        seed: 1,
        force: false,
        dir: PathBuf::new(),
    };
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--platforms" => o.platforms = num("--platforms")? as usize,
            "--versions" => o.versions = num("--versions")? as usize,
            "--records" => o.records = num("--records")? as usize,
            "--sections" => o.sections = num("--sections")? as usize,
            "--seed" => o.seed = num("--seed")?,
            "--force" => o.force = true,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => {
                if dir.replace(PathBuf::from(s)).is_some() {
                    return Err("give one DIR".into());
                }
            }
        }
    }
    o.dir = dir.ok_or("give the DIR to write the site into")?;
    if o.platforms == 0 || o.versions == 0 || o.sections == 0 {
        return Err("--platforms, --versions and --sections must be at least 1".into());
    }
    Ok(o)
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gen-site: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match generate(&opts) {
        Ok(stats) => {
            println!(
                "gen-site: {} platforms, {} snapshots, {} change records, {:.1} MB of content in {}",
                opts.platforms,
                stats.snapshots,
                stats.records,
                stats.bytes as f64 / 1e6,
                opts.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-site: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Default)]
struct Stats {
    snapshots: usize,
    records: usize,
    bytes: usize,
}

struct Writer {
    root: PathBuf,
    stats: Stats,
}

impl Writer {
    fn put(&mut self, rel: &str, text: &str) -> Result<(), String> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        self.stats.bytes += text.len();
        Ok(())
    }
}

fn generate(o: &Options) -> Result<Stats, String> {
    let dir = &o.dir;
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty && !o.force {
            return Err(format!(
                "{} is not empty; pass --force to replace its content/",
                dir.display()
            ));
        }
        let content = dir.join("content");
        if content.exists() {
            fs::remove_dir_all(&content).map_err(|e| format!("{}: {e}", content.display()))?;
        }
    }
    let mut w = Writer {
        root: dir.clone(),
        stats: Stats::default(),
    };
    w.put(
        "site.yaml",
        &format!(
            "title: Synthetic policy tracker\nbase_url: https://bench.example.org\ndescription: {} platforms, generated by gen-site for benchmarks.\nlanguage: en\nauthor: gen-site\n",
            o.platforms
        ),
    )?;
    for (slug, title, question, intro) in TOPICS {
        w.put(
            &format!("content/topics/{slug}.md"),
            &format!("---\ntitle: {}\nquestion: {}\n---\n{intro}\n\nSee the [platforms](/platforms/) whose documents carry clauses on this topic.\n", yaml_string(title), yaml_string(question)),
        )?;
    }
    w.put(
        "content/pages/about.md",
        "---\ntitle: About\n---\nThis site is generated for benchmarks. Its platforms, documents and change records are made up; read the [methodology](/methodology/) for how a real tracker works.\n",
    )?;
    w.put(
        "content/pages/methodology.md",
        "---\ntitle: Methodology\n---\n## Where the versions come from\n\nEach version is a capture of a document's public page on the day shown.\n\n## How versions are compared\n\nSections are aligned by their id; inside a changed section, words are compared.\n\n- Added text is underlined.\n- Removed text is struck through.\n",
    )?;

    let mut rng = Rng::new(o.seed);
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut names = Vec::with_capacity(o.platforms);
    for i in 0..o.platforms {
        let (suffix, category) = NAME_KIND[rng.below(NAME_KIND.len())];
        let base = format!("{}{}", rng.pick(NAME_START), rng.pick(NAME_END));
        let mut name = format!("{base}{suffix}");
        if used.contains(&slug(&name)) {
            name = format!("{base}{} {}", suffix, i + 1);
        }
        used.insert(slug(&name));
        names.push((name, category));
    }
    for (i, (name, category)) in names.iter().enumerate() {
        platform(&mut w, &mut rng, o, i, name, category)?;
    }

    // FAQ: general questions, and a few tied to platforms.
    let general = [
        ("what-is-this-site", "What is this site?", "A tracker of changes to the terms of service and privacy policies of online platforms. Every version of a document is kept, and the differences between versions are shown section by section."),
        ("how-often-captured", "How often are documents captured?", "Documents are captured when they change. The date of a version is the day it was first seen."),
        ("what-a-diff-shows", "What does a diff show?", "Text added between two versions is marked as inserted, removed text as deleted. Sections are matched by their id, so a moved section is not shown as removed and added."),
        ("legal-advice", "Is this legal advice?", "No. The change records explain what changed in plain language; they are not legal advice."),
        ("subscribe", "How can I follow changes?", "Every platform, document and topic has RSS, Atom and JSON feeds; see the [feeds](/feeds/) page."),
        ("contribute", "How can I contribute?", "Send a pull request with a new snapshot or a change record. The build checks every file and reports problems with the file and line."),
        ("cite", "How should I cite a version?", "Link to the version's page: its address never changes."),
        ("licence", "Under which licence is the content?", "The change records are under a Creative Commons licence; the documents belong to their publishers."),
    ];
    for (i, (slug, q, a)) in general.iter().enumerate() {
        w.put(
            &format!("content/faq/{slug}.md"),
            &format!(
                "---\nquestion: {}\norder: {}\n---\n{a}\n",
                yaml_string(q),
                i + 1
            ),
        )?;
    }
    for (i, (name, _)) in names
        .iter()
        .enumerate()
        .step_by(names.len().div_ceil(4).max(1))
    {
        let p = slug(name);
        w.put(
            &format!("content/faq/{p}-ai-training.md"),
            &format!(
                "---\nquestion: {}\norder: {}\nplatform: {p}\n---\n{name}'s terms say it may use the content you submit {}. See [its documents](/platforms/{p}/).\n",
                yaml_string(&format!("Does {name} train AI models on my content?")),
                100 + i,
                PURPOSES[3]
            ),
        )?;
    }
    Ok(w.stats)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

const DOCUMENTS: &[(&str, &str)] = &[
    ("terms-of-service", "Terms of Service"),
    ("privacy-policy", "Privacy Policy"),
];

fn platform(
    w: &mut Writer,
    rng: &mut Rng,
    o: &Options,
    index: usize,
    name: &str,
    category: &str,
) -> Result<(), String> {
    let p = slug(name);
    let site = format!("https://www.{}.example", p);
    let mut yaml = format!(
        "name: {}\nurl: {site}\ncategory: {category}\ndescription: >-\n  {name} is a made-up {} service, number {} of this synthetic site.\ndocuments:\n",
        yaml_string(name),
        category.replace('-', " "),
        index + 1
    );
    for (id, title) in DOCUMENTS {
        let _ = write!(
            yaml,
            "  - id: {id}\n    title: {title}\n    url: {site}/legal/{id}\n"
        );
    }
    w.put(&format!("content/platforms/{p}/platform.yaml"), &yaml)?;

    let mut record_keys: BTreeSet<String> = BTreeSet::new();
    for (di, (doc, doc_title)) in DOCUMENTS.iter().enumerate() {
        // The first version's sections: headings drawn without repeats.
        let mut pool: Vec<usize> = (0..HEADINGS.len()).collect();
        let mut sections: Vec<Section> = Vec::new();
        for k in 0..o.sections {
            let h = if k == 0 {
                pool.remove(0)
            } else if pool.is_empty() {
                k % HEADINGS.len()
            } else {
                pool.remove(rng.below(pool.len()))
            };
            let (heading, topic) = HEADINGS[h];
            let heading = if sections.iter().any(|s| s.heading == heading) {
                format!("{heading} ({})", k + 1)
            } else {
                heading.to_string()
            };
            sections.push(Section::new(rng, section_id(di, k), &heading, topic));
        }
        let mut next_id = o.sections;
        let mut date = jiff::civil::date(2018, 1, 1)
            .checked_add((rng.below(700) as i64).days())
            .map_err(|e| e.to_string())?;
        let mut versions: Vec<(Date, Vec<Section>)> = Vec::new();
        for v in 0..o.versions {
            if v > 0 {
                date = date
                    .checked_add((rng.range(45, 330) as i64).days())
                    .map_err(|e| e.to_string())?;
                // A few sections change by a sentence or two.
                for _ in 0..rng.range(2, 4) {
                    let i = rng.below(sections.len());
                    sections[i].edit(rng);
                }
                if rng.chance(25) {
                    let (heading, topic) = HEADINGS[rng.below(HEADINGS.len())];
                    let at = rng.range(1, sections.len());
                    let heading = format!("{heading} ({})", next_id + 1);
                    sections.insert(
                        at,
                        Section::new(rng, section_id(di, next_id), &heading, topic),
                    );
                    next_id += 1;
                }
                if rng.chance(10) && sections.len() > 4 {
                    sections.remove(rng.range(1, sections.len() - 1));
                }
                if rng.chance(10) {
                    let i = rng.below(sections.len());
                    sections[i].heading.push_str(" and related matters");
                }
            }
            write_snapshot(w, &p, doc, date, &site, &sections)?;
            versions.push((date, sections.clone()));
        }
        for k in 0..o.records {
            write_record(
                w,
                rng,
                &p,
                name,
                doc,
                doc_title,
                &versions,
                k,
                &mut record_keys,
            )?;
        }
    }
    Ok(())
}

fn section_id(doc: usize, k: usize) -> String {
    if doc == 0 {
        // Terms: numbered clauses.
        format!("{}", k + 1)
    } else {
        format!("p{}", k + 1)
    }
}

fn write_snapshot(
    w: &mut Writer,
    p: &str,
    doc: &str,
    date: Date,
    site: &str,
    sections: &[Section],
) -> Result<(), String> {
    let mut y = format!("source_url: {site}/legal/{doc}\nsections:\n");
    for s in sections {
        let _ = writeln!(y, "  - id: {}", yaml_string(&s.id));
        let _ = writeln!(y, "    heading: {}", yaml_string(&s.heading));
        if !s.topics.is_empty() {
            let _ = writeln!(y, "    topics: [{}]", s.topics.join(", "));
        }
        y.push_str("    text: |\n");
        yaml_block(&mut y, "      ", &s.text());
    }
    w.stats.snapshots += 1;
    w.put(
        &format!("content/platforms/{p}/snapshots/{doc}/{date}.yaml"),
        &y,
    )
}

#[allow(clippy::too_many_arguments)]
fn write_record(
    w: &mut Writer,
    rng: &mut Rng,
    p: &str,
    name: &str,
    doc: &str,
    doc_title: &str,
    versions: &[(Date, Vec<Section>)],
    k: usize,
    keys: &mut BTreeSet<String>,
) -> Result<(), String> {
    let n = versions.len();
    // Neighbouring versions first, then wider spans.
    let (from, to) = if n < 2 {
        (None, n - 1)
    } else {
        let pairs = n - 1;
        let span = 1 + (k / pairs) % pairs;
        let to = (k % pairs) + span;
        if to < n {
            (Some(to - span), to)
        } else {
            (Some(k % pairs), k % pairs + 1)
        }
    };
    let to_date = versions[to].0;
    let date = to_date
        .checked_add(((k / n.max(1)) as i64).days())
        .map_err(|e| e.to_string())?;
    // Topics: those of the sections that changed.
    let mut topics: BTreeSet<&str> = BTreeSet::new();
    let mut changed: Vec<String> = Vec::new();
    if let Some(f) = from {
        for s in &versions[to].1 {
            match versions[f].1.iter().find(|x| x.id == s.id) {
                Some(old) if old.paragraphs == s.paragraphs && old.heading == s.heading => {}
                _ => {
                    topics.extend(s.topics.iter().copied());
                    changed.push(s.heading.clone());
                }
            }
        }
    }
    if topics.is_empty() {
        topics.insert(TOPICS[rng.below(TOPICS.len())].0);
    }
    let verb = rng.pick(CHANGE_VERBS);
    let object = rng.pick(CHANGE_OBJECTS);
    let title = format!("{name} {verb} {object}");
    let mut key = format!("{date}-{}", slug(&format!("{verb} {object}")));
    if !keys.insert(key.clone()) {
        key = format!("{key}-{}", slug(doc));
        if !keys.insert(key.clone()) {
            key = format!("{key}-{k}");
            keys.insert(key.clone());
        }
    }
    let impact = ["low", "medium", "medium", "high"][rng.below(4)];
    let mut md = String::from("---\n");
    let _ = writeln!(md, "title: {}", yaml_string(&title));
    let _ = writeln!(md, "document: {doc}");
    let _ = writeln!(
        md,
        "summary: >-\n  The {doc_title} of {name} now says that {} {} {} {}.",
        SUBJECTS[0].to_lowercase(),
        rng.pick(MODALS),
        rng.pick(VERBS),
        rng.pick(OBJECTS)
    );
    let _ = writeln!(
        md,
        "topics: [{}]",
        topics.iter().copied().collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(md, "impact: {impact}");
    if let Some(f) = from {
        let _ = writeln!(md, "from: {}", versions[f].0);
        let _ = writeln!(md, "to: {}", to_date);
    }
    md.push_str("---\n");
    let _ = writeln!(
        md,
        "The [{doc_title}](/platforms/{p}/{doc}/) of {name} changed on {to_date}. {}\n",
        sentence(rng)
    );
    if !changed.is_empty() {
        md.push_str("## What changed\n\n");
        for h in changed.iter().take(6) {
            let _ = writeln!(md, "- **{h}**: {}", sentence(rng));
        }
        md.push('\n');
    }
    md.push_str("## What it means\n\n");
    for _ in 0..rng.range(2, 3) {
        let para: Vec<String> = (0..rng.range(2, 4)).map(|_| sentence(rng)).collect();
        md.push_str(&para.join(" "));
        md.push_str("\n\n");
    }
    if let Some(t) = topics.iter().next() {
        let _ = writeln!(
            md,
            "Compare how other platforms handle [this topic](/topics/{t}/)."
        );
    }
    w.stats.records += 1;
    w.put(&format!("content/platforms/{p}/changes/{key}.md"), &md)
}
