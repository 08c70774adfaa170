#!/usr/bin/env python3
"""Import the Open Terms Archive corpus into the example site's content/.

Usage: python3 scripts/import-corpus.py [--corpus ../shared/corpus] [--root .]

For every corpus file <platform>/<document>/<YYYY-MM-DD>.md this writes
content/platforms/<platform>/snapshots/<document>/<YYYY-MM-DD>.yaml (a snapshot
in the `sections` form), and content/platforms/<platform>/platform.yaml for
every platform, then checks the result and prints a report. It is a
development tool: the files it writes are self-contained and the site never
reads the corpus. Topic tags come from scripts/corpus-topics.yaml.

The texts are by "Open Terms Archive contributors", under the Open Data
Commons Attribution License (ODC-By 1.0).

SPLITTING RULES
===============

These are the rules `termtrail snapshot` implements for Markdown input. All
line numbers refer to the source after step 0.

0. Clean-up (before anything else).
   a. Line endings become "\\n"; a leading byte-order mark is dropped.
   b. Hard line breaks written as two or more trailing spaces become a
      backslash at the end of the line (the other CommonMark hard break):
      for every paragraph, at any nesting depth, each line except the
      paragraph's last one that ends in two or more spaces gets its trailing
      whitespace replaced by "\\". Then trailing whitespace (spaces, tabs) is
      removed from every line. The rendered HTML of the document does not
      change (the import script checks this for every file).
   c. Link and image destinations that start with a single `/` (written
      `](/path)`) point into the company's own site, not ours: they are made
      absolute against the origin of the document's source URL
      (`](/hc/x)` -> `](https://docs.midjourney.com/hc/x)`), so the snapshot
      has no internal links that the site does not build.
   d. Importer only, not part of `termtrail snapshot`: a capture that holds
      the same text twice in a row (Amazon Prime 2026-08-15) keeps one copy.

1. Parse. The document is parsed as CommonMark (with GFM tables and
   strikethrough), so ATX (`# x`) and setext (`x` underlined with `===` or
   `---`) headings both count. Only top-level blocks (not inside lists or
   block quotes) are ever split points.

2. Title. If the document's first top-level heading is of level 1, it is
   the document's title: it never starts a section, and its lines are removed
   from the text. (Text before it, such as a "Last updated" line or a table
   of contents, stays and belongs to the introduction.)

3. Split points, tried in this order; the first rule that yields at least
   3 split points is used:

   a. Headings. Every top-level heading of level 1, 2 or 3 other than the
      title. The section heading is the heading's text with inline Markdown
      removed (links, emphasis, escapes), whitespace collapsed. A heading
      whose text is empty (an extraction left only `[](#)`) is not a split
      point. Deeper headings (####...) stay in the text of their section.

   b. Numbered items. Candidates, in document order, are the items of
      top-level ordered lists (their number is the list marker's) and the
      top-level paragraphs whose plain text (Markdown removed, leading
      spaces and zero-width spaces ignored) starts with a whole number
      followed by a period that is not followed by a digit
      (`1\\. The Netflix Service`, `**4\\. Using the Platform**`, `6.行使`;
      not `1.1`). A candidate is accepted only if its number is one more
      than the last accepted number (the first must be 1), so numbering that
      restarts inside a section is not a split point. The rule applies only
      if at least 3 candidates are accepted and the text before the first
      one is less than half of the document (in characters).
      - Heading: take the first line of the item's first paragraph, as plain
        text, without the number and without stray `*`/`_` at its ends. If
        it has a period followed by a space (or ending it) and the text
        before that first period has at most 8 words, the heading is that
        text ("Promotional Offers. We may ..." -> "Promotional Offers").
        Otherwise, if the line has at most 12 words and 100 characters, the
        heading is the whole line, less a final period or colon. Otherwise
        it is the line's first 8 words followed by "…".
      - Text: the item's source from its first line up to the next split
        point. The marker (`2.` and its spaces) or leading number (`4\\.`) is
        removed from the first line. The item's other lines inside the list
        are dedented by D, the smallest indentation among its non-blank lines
        that are indented at least as far as the item's content (the width of
        "1.  "); a line indented less than D loses all its indentation. So
        sub-clauses like "1.1. ..." become ordinary paragraphs at column 0.
        Lines after the list are kept as they are. If the item's whole first
        paragraph is just the heading (e.g. "**Membership**"), that paragraph
        is dropped; else if its first line is just the heading, that line is
        dropped, with the paragraph's next lines as long as they hold no
        letter or digit (a lone `**` left by the capture); else the first line
        stays (so "Promotional Offers. We may ..." keeps its lead-in phrase).

   c. Heading-like lines, for documents without Markdown structure. Two
      patterns, tried in order:
      c1. A top-level one-line paragraph of the form TTanchor, where the
          same text T is written twice and followed by a lowercase anchor
          word starting with "main" (regex `^(.+?)\\1main[a-z0-9]*$`): how
          the Microsoft Privacy Statement's section titles were captured in
          2024 ("AdvertisingAdvertisingmainadvertisingmodule"). Heading: T.
      c2. A top-level one-line paragraph of at most 8 words that starts with
          an uppercase letter, contains no digit and none of `*_[]()<>|#`,
          and does not end with `. : ; , ! ?` (Amazon Prime's early plain-text
          captures: "Membership Cancellation"). If the document's first block
          is such a line, it is the title, not a split point.

   If no rule yields 3 split points, the document is one section with id
   `introduction` (never an empty list).

4. Sections. Content before the first split point (minus the title) is the
   section `introduction`, without heading, if it is not empty. Each split
   point starts a section that runs up to the next split point; its text
   is the Markdown source of those lines (less the split line(s) themselves
   and as described in 3b), with blank lines trimmed at both ends.

5. Never an empty text. If a section's text would be empty, the next split
   point is not used (its lines become the start of this section's text,
   e.g. "### 4.1 Our Platform" under an empty "## 4. Using the Platform");
   this repeats while needed. If the last section would be empty, its split
   point is not used and its line(s) go to the end of the previous section
   (or of the introduction).

6. Ids. A section's id is its heading without leading numbering (`1.`,
   `1\\.`, `4.6`, `(a)`, `a)`, `A.`, `iv)`, `IV.`, `一、`; a number must be
   followed by a space, the end, or a non-ASCII character), lowercased, every
   run of characters that are not letters or digits (Unicode letters and
   digits count) replaced by one `-`, and `-` trimmed at both ends; `section`
   if nothing is left. A repeated id in one snapshot gets `-2`, `-3`, ...
   in document order. The same heading in two versions thus gives the same
   id, which is what aligns versions section by section.

The YAML is written with block scalars (`|`) for texts (and an indentation
indicator where a text starts with a space); ids and headings are plain when
that is unambiguous and double-quoted otherwise. The script re-loads every
file and checks that it gives back exactly what was meant.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import OrderedDict
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

# --------------------------------------------------------------------------
# Platforms and documents (written to platform.yaml)
# --------------------------------------------------------------------------

PLATFORMS: "OrderedDict[str, dict]" = OrderedDict(
    [
        ("netflix", {
            "name": "Netflix",
            "url": "https://www.netflix.com",
            "category": "streaming",
            "description": "Subscription video streaming of films and series. "
                           "The texts tracked here are the versions served to European visitors.",
            "documents": [
                {"id": "terms-of-service", "title": "Terms of Use",
                 "url": "https://help.netflix.com/legal/termsofuse"},
                {"id": "privacy-policy", "title": "Privacy Statement",
                 "url": "https://help.netflix.com/legal/privacy"},
            ],
        }),
        ("spotify", {
            "name": "Spotify",
            "url": "https://www.spotify.com",
            "category": "music",
            "description": "Music and podcast streaming with free, ad-supported and paid tiers. "
                           "The tracked text is the United States version of its terms.",
            "documents": [
                {"id": "terms-of-service", "title": "Terms of Use",
                 "url": "https://www.spotify.com/us/legal/end-user-agreement/"},
            ],
        }),
        ("amazon-prime", {
            "name": "Amazon Prime",
            "url": "https://www.amazon.com/prime",
            "category": "shopping",
            "description": "Amazon's paid membership bundling fast shipping, video, music and other benefits "
                           "for shoppers on Amazon.com.",
            "documents": [
                {"id": "terms-of-service", "title": "Amazon Prime Terms & Conditions",
                 "url": "https://www.amazon.com/gp/help/customer/display.html?nodeId=13819201"},
            ],
        }),
        ("tiktok", {
            "name": "TikTok",
            "url": "https://www.tiktok.com",
            "category": "social",
            "description": "Short-video social network. The tracked terms are the ones for people living in "
                           "the European Economic Area, Switzerland and the United Kingdom.",
            "documents": [
                {"id": "terms-of-service", "title": "Terms of Service",
                 "url": "https://www.tiktok.com/legal/terms-of-use?lang=en"},
            ],
        }),
        ("chatgpt", {
            "name": "ChatGPT",
            "url": "https://chatgpt.com",
            "category": "ai-assistant",
            "description": "OpenAI's conversational assistant. Most tracked versions are OpenAI's privacy "
                           "policy for Europe; the earliest is its policy for the rest of the world.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy",
                 "url": "https://openai.com/policies/eu-privacy-policy/"},
            ],
        }),
        ("claude-ai", {
            "name": "Claude.ai",
            "url": "https://claude.ai",
            "category": "ai-assistant",
            "description": "Anthropic's AI assistant, used in the browser, on desktop and on mobile.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy",
                 "url": "https://www.anthropic.com/legal/privacy"},
            ],
        }),
        ("deepseek", {
            "name": "DeepSeek",
            "url": "https://www.deepseek.com",
            "category": "ai-assistant",
            "description": "Chat assistant and open-weight language models from a company based in Hangzhou, China.",
            "documents": [
                {"id": "privacy-policy", "title": "DeepSeek Privacy Policy",
                 "url": "https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html"},
            ],
        }),
        ("grok", {
            "name": "Grok",
            "url": "https://grok.com",
            "category": "ai-assistant",
            "description": "xAI's chatbot, available on its own and inside X. Its privacy policy is xAI's.",
            "documents": [
                {"id": "privacy-policy", "title": "xAI Privacy Policy",
                 "url": "https://x.ai/legal/privacy-policy"},
            ],
        }),
        ("mistral-ai", {
            "name": "Mistral AI",
            "url": "https://mistral.ai",
            "category": "ai-assistant",
            "description": "French AI company behind the Le Chat assistant and a family of language models "
                           "offered through its platform.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy",
                 "url": "https://legal.mistral.ai/terms/privacy-policy"},
            ],
        }),
        ("microsoft-copilot", {
            "name": "Microsoft Copilot",
            "url": "https://copilot.microsoft.com",
            "category": "ai-assistant",
            "description": "Microsoft's AI assistant. Its privacy terms are the company-wide Microsoft Privacy "
                           "Statement, which covers Copilot alongside Windows, Bing, Xbox and other products.",
            "documents": [
                {"id": "privacy-policy", "title": "Microsoft Privacy Statement",
                 "url": "https://privacy.microsoft.com/en-ie/privacystatement"},
            ],
        }),
        ("midjourney", {
            "name": "Midjourney",
            "url": "https://www.midjourney.com",
            "category": "image-generation",
            "description": "Image and video generation from text prompts, used through its website and Discord.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy",
                 "url": "https://docs.midjourney.com/docs/privacy-policy"},
            ],
        }),
        ("github-copilot", {
            "name": "GitHub Copilot",
            "url": "https://github.com/features/copilot",
            "category": "developer-tools",
            "description": "AI coding assistant built into GitHub and code editors. Its privacy terms are "
                           "GitHub's general privacy statement.",
            "documents": [
                {"id": "privacy-policy", "title": "GitHub General Privacy Statement",
                 "url": "https://docs.github.com/en/site-policy/privacy-policies/github-general-privacy-statement"},
            ],
        }),
        ("cursor", {
            "name": "Cursor",
            "url": "https://cursor.com",
            "category": "developer-tools",
            "description": "AI-first code editor made by Anysphere, with chat, autocomplete and agents that "
                           "work on your code.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy",
                 "url": "https://www.cursor.com/privacy"},
            ],
        }),
        ("doubao", {
            "name": "Doubao",
            "url": "https://www.doubao.com",
            "category": "ai-assistant",
            "description": "ByteDance's AI assistant for the Chinese market. Its privacy policy is published "
                           "in Chinese only; the tracked text is the original.",
            "documents": [
                {"id": "privacy-policy", "title": "Privacy Policy (隐私政策)",
                 "url": "https://www.doubao.com/legal/privacy"},
            ],
        }),
    ]
)

# Versions captured from a different page than the document's usual URL.
SOURCE_URL_OVERRIDES = {
    # The earliest ChatGPT version is OpenAI's policy for people outside Europe.
    ("chatgpt", "privacy-policy", "2024-02-20"): "https://openai.com/policies/privacy-policy/",
}

TOPICS = [
    "ai-training", "arbitration", "account-sharing", "age-requirements", "data-sharing",
    "data-retention", "location-data", "content-licensing", "user-rights", "termination",
]

# --------------------------------------------------------------------------
# Markdown helpers
# --------------------------------------------------------------------------

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def parse(src: str):
    return MD.parse(src)


def render(src: str) -> str:
    return MD.render(src)


def inline_lines(inline_token) -> list[str]:
    """Plain text of an inline token, split at soft and hard line breaks."""
    lines = [""]
    for child in inline_token.children or []:
        if child.type in ("text", "code_inline"):
            lines[-1] += child.content
        elif child.type == "image":
            lines[-1] += "".join(c.content for c in (child.children or []))
        elif child.type in ("softbreak", "hardbreak"):
            lines.append("")
    return lines


def inline_text(inline_token) -> str:
    return re.sub(r"\s+", " ", " ".join(inline_lines(inline_token))).strip()


NUMBERING = re.compile(
    r"""^\s*(?:
        \(?[0-9]+(?:\.[0-9]+)*[.)]?(?=\s|$|[^\x00-\x7f])   # 1.  1  4.6  1)  (1)  1.我们
      | \([a-zA-Z]\)(?=\s|$)                              # (a)
      | [a-zA-Z][.)](?=\s|$)                              # a)  A.
      | \(?[ivxlcdmIVXLCDM]+[.)](?=\s|$)                  # iv)  IV.  (iv)
      | [一二三四五六七八九十百零〇]+[、．.]                 # 一、
    )\s*""",
    re.X,
)


def strip_numbering(heading: str) -> str:
    return NUMBERING.sub("", heading, count=1)


def slugify(heading: str) -> str:
    text = strip_numbering(heading).lower()
    out = []
    dash = False
    for ch in text:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out).strip("-")
    return slug or "section"


# --------------------------------------------------------------------------
# Step 0: clean-up
# --------------------------------------------------------------------------

def undouble(src: str) -> str:
    """If the capture is the same text twice in a row, keep one copy."""
    s = src.strip("\n")
    first = s.split("\n", 1)[0]
    start = 0
    while True:
        pos = s.find("\n" + first + "\n", start)
        if pos < 0:
            return src
        a, b = s[:pos].strip(), s[pos + 1:].strip()
        if a == b and a:
            return a + "\n"
        start = pos + 1


ROOT_LINK = re.compile(r"\]\(/(?!/)")


def absolutize(src: str, source_url: str | None) -> str:
    """Rule 0c: make `](/path)` destinations absolute against the source's origin."""
    if not source_url:
        return src
    m = re.match(r"^(https?://[^/]+)", source_url)
    if not m:
        return src
    return ROOT_LINK.sub("](" + m.group(1) + "/", src)


def clean(src: str) -> str:
    src = src.replace("\r\n", "\n").replace("\r", "\n")
    if src.startswith("\ufeff"):
        src = src[1:]
    lines = src.split("\n")
    for tok in parse(src):
        if tok.type == "paragraph_open" and tok.map:
            start, end = tok.map
            for i in range(start, end - 1):
                line = lines[i]
                stripped = line.rstrip(" ")
                if len(line) - len(stripped) >= 2 and stripped.strip():
                    lines[i] = stripped.rstrip() + "\\"
    lines = [line.rstrip() for line in lines]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Steps 1-6: splitting
# --------------------------------------------------------------------------

class Split:
    """A split point: source lines [start, body) are the split line(s)."""

    def __init__(self, start, body, heading, kind, extra=None):
        self.start = start
        self.body = body
        self.heading = heading
        self.kind = kind          # "heading" | "item" | "line"
        self.extra = extra or {}


def top_blocks(tokens):
    """Top-level block-opening tokens with their index."""
    return [(i, t) for i, t in enumerate(tokens) if t.level == 0 and t.nesting in (0, 1) and t.map]


def heading_splits(tokens, title_idx):
    out = []
    for i, t in enumerate(tokens):
        if t.type == "heading_open" and t.level == 0 and i != title_idx and t.tag in ("h1", "h2", "h3"):
            text = inline_text(tokens[i + 1])
            if text:
                out.append(Split(t.map[0], t.map[1], text, "heading"))
    return out


ITEM_PARA = re.compile(r"^[\s\u200b\ufeff]*(\d+)\.(?!\d)\s*(.*)$", re.S)
ITEM_MARKER = re.compile(r"^( *)(\d+)[.)]( *)")
PARA_NUMBER = re.compile(r"^(\s*)(\d+)\\?\.(?!\d) *")


def derive_item_heading(first_line: str) -> str:
    line = first_line.strip().strip("*_").strip()
    m = re.search(r"\.(\s|$)", line)
    if m:
        phrase = line[: m.start()].strip().strip("*_").strip()
        if phrase and len(phrase.split()) <= 8:
            return phrase
    if len(line.split()) <= 12 and len(line) <= 100:
        return line.rstrip(".:：").strip().strip("*_").strip()
    return " ".join(line.split()[:8]) + "…"


def item_splits(tokens, lines, src_len_before):
    """Numbered items (rule 3b). Returns list of Split or []."""
    cands = []
    list_end = None
    for i, t in enumerate(tokens):
        if t.type == "ordered_list_open" and t.level == 0:
            list_end = t.map[1]
        if t.type == "list_item_open" and t.level == 1:
            m = ITEM_MARKER.match(lines[t.map[0]])
            if not m:
                continue
            number = int(m.group(2))
            indent = len(m.group(0))
            if len(m.group(3)) > 4:      # marker followed by 5+ spaces: content indent is marker + 1
                indent = len(m.group(1)) + len(m.group(2)) + 2
            # first paragraph of the item
            para = None
            for k in range(i + 1, len(tokens)):
                if tokens[k].type == "paragraph_open":
                    para = k
                    break
                if tokens[k].type == "list_item_close":
                    break
            plines = inline_lines(tokens[para + 1]) if para is not None else [""]
            cands.append(dict(number=number, start=t.map[0], kind="list", indent=indent,
                              list_end=list_end, para_map=tokens[para].map if para is not None else None,
                              plain_lines=plines))
        elif t.type == "paragraph_open" and t.level == 0:
            plines = inline_lines(tokens[i + 1])
            m = ITEM_PARA.match(plines[0])
            if m:
                plines = [m.group(2)] + plines[1:]
                cands.append(dict(number=int(m.group(1)), start=t.map[0], kind="para", indent=0,
                                  list_end=None, para_map=t.map, plain_lines=plines))
    accepted = []
    for c in cands:
        expected = accepted[-1]["number"] + 1 if accepted else 1
        if c["number"] == expected:
            accepted.append(c)
    if len(accepted) < 3:
        return []
    before = sum(len(l) + 1 for l in lines[: accepted[0]["start"]])
    if before * 2 >= src_len_before:
        return []
    out = []
    for c in accepted:
        heading = derive_item_heading(c["plain_lines"][0])
        out.append(Split(c["start"], c["start"], heading, "item", c))
    return out


DOUBLED = re.compile(r"^(.+?)\1main[a-z0-9]*$")
SHORT_BAD = set("*_[]()<>|#")


def line_splits(tokens, lines):
    """Heading-like lines (rule 3c). Returns (splits, title, title_line)."""
    paras = []
    blocks = top_blocks(tokens)
    for i, t in blocks:
        if t.type == "paragraph_open" and t.map[1] - t.map[0] == 1:
            paras.append((i, t, lines[t.map[0]].strip()))
    # c1
    out = []
    for i, t, text in paras:
        m = DOUBLED.match(text)
        if m:
            out.append(Split(t.map[0], t.map[1], m.group(1).strip(), "line"))
    if len(out) >= 3:
        return out, None, None
    # c2
    out = []
    title = None
    title_line = None
    first_block = blocks[0][1] if blocks else None
    for i, t, text in paras:
        words = text.split()
        if (
            1 <= len(words) <= 8
            and text[0].isupper()
            and not any(ch.isdigit() for ch in text)
            and not any(ch in SHORT_BAD for ch in text)
            and not text.endswith((".", ":", ";", ",", "!", "?"))
        ):
            if t is first_block:
                title, title_line = text, t.map[0]
            else:
                out.append(Split(t.map[0], t.map[1], text, "line"))
    if len(out) >= 3:
        return out, title, title_line
    return [], None, None


def trim_blank(lines: list[str]) -> list[str]:
    a, b = 0, len(lines)
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    return lines[a:b]


def norm_plain(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("*", "").replace("_", "")).strip().rstrip(".:：").strip()


def body_lines(split: Split, end: int, lines: list[str], skip: set[int]) -> list[str]:
    """Text lines of a section starting at split and ending before line `end`."""
    if split.kind != "item":
        return trim_blank([lines[i] for i in range(split.body, end) if i not in skip])
    c = split.extra
    first = split.start
    drop = set()
    heading_n = norm_plain(split.heading)
    pm = c["para_map"]
    if pm and pm[0] == first and norm_plain(" ".join(c["plain_lines"])) == heading_n:
        drop = set(range(pm[0], pm[1]))
    elif norm_plain(c["plain_lines"][0]) == heading_n:
        drop = {first}
        # and the paragraph's next lines while they hold no letter or digit (a lone "**")
        for j in range(first + 1, pm[1] if pm else first + 1):
            if any(ch.isalnum() for ch in lines[j]):
                break
            drop.add(j)
    in_list_end = end if c["kind"] != "list" or c["list_end"] is None else min(end, c["list_end"])
    dedent = c["indent"]
    if c["kind"] == "list":
        indents = [
            len(lines[i]) - len(lines[i].lstrip(" "))
            for i in range(first + 1, in_list_end)
            if lines[i].strip() and len(lines[i]) - len(lines[i].lstrip(" ")) >= c["indent"]
        ]
        if indents:
            dedent = min(indents)
    out = []
    for i in range(first, end):
        if i in skip or i in drop:
            continue
        line = lines[i]
        if c["kind"] == "list" and i < in_list_end:
            if i == first:
                line = line[c["indent"]:] if len(line) >= c["indent"] else line.lstrip()
            else:
                n = len(line) - len(line.lstrip(" "))
                line = line[min(n, dedent):]
        elif c["kind"] == "para" and i == first:
            line = PARA_NUMBER.sub(r"\1", line, count=1)
        out.append(line)
    return trim_blank(out)


def split_document(src: str):
    """Return (title, sections, rule) for cleaned Markdown source."""
    lines = src.split("\n")
    tokens = parse(src)
    # Title (rule 2)
    title = None
    title_idx = None
    skip: set[int] = set()
    for i, t in enumerate(tokens):
        if t.type == "heading_open" and t.level == 0:
            if t.tag == "h1":
                title = inline_text(tokens[i + 1])
                title_idx = i
                skip = set(range(t.map[0], t.map[1]))
            break
    rule = "headings"
    splits = heading_splits(tokens, title_idx)
    if len(splits) < 3:
        rule = "items"
        splits = item_splits(tokens, lines, len(src))
    if len(splits) < 3:
        rule = "lines"
        splits, line_title, line_title_at = line_splits(tokens, lines)
        if line_title is not None and title is None:
            title = line_title
            skip = {line_title_at}
    if len(splits) < 3:
        rule = "whole"
        splits = []

    def bodies(splits):
        res = []
        for k, sp in enumerate(splits):
            end = splits[k + 1].start if k + 1 < len(splits) else len(lines)
            res.append(body_lines(sp, end, lines, skip))
        return res

    # Rule 5: no empty texts.
    changed = True
    while changed and splits:
        changed = False
        texts = bodies(splits)
        for k, text in enumerate(texts):
            if not text:
                if k + 1 < len(splits):
                    del splits[k + 1]
                elif k > 0:
                    del splits[k]
                else:
                    del splits[k]
                changed = True
                break

    sections = []
    intro_end = splits[0].start if splits else len(lines)
    intro = trim_blank([lines[i] for i in range(0, intro_end) if i not in skip])
    if intro:
        sections.append({"id": "introduction", "heading": None, "text": intro})
    for sp, text in zip(splits, bodies(splits)):
        sections.append({"id": slugify(sp.heading), "heading": sp.heading, "text": text})
    # Unique ids (rule 6)
    seen: dict[str, int] = {}
    for s in sections:
        base = s["id"]
        if base in seen:
            seen[base] += 1
            s["id"] = f"{base}-{seen[base]}"
            while s["id"] in seen:
                seen[base] += 1
                s["id"] = f"{base}-{seen[base]}"
            seen[s["id"]] = 1
        else:
            seen[base] = 1
    for s in sections:
        s["text"] = "\n".join(s["text"]) + "\n"
    return title, sections, rule


# --------------------------------------------------------------------------
# YAML output
# --------------------------------------------------------------------------

YAML_SPECIAL_WORDS = {
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", "",
}


def yaml_scalar(value: str) -> str:
    """A plain scalar if it reads back as the same string, else double-quoted."""
    plain_ok = (
        value == value.strip()
        and value.lower() not in YAML_SPECIAL_WORDS
        and "\n" not in value
        and not re.match(r"^[-?:,\[\]{}#&*!|>'\"%@`]", value)
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and "\t" not in value
    )
    if plain_ok:
        try:
            if yaml.safe_load("k: " + value) == {"k": value}:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def yaml_block(text: str, indent: int) -> str:
    """A literal block scalar for text (which ends with exactly one newline)."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    pad = " " * indent
    header = "|"
    first = text.split("\n", 1)[0]
    if first.startswith(" "):
        header = "|2"
    body = "".join((pad + line if line else "") + "\n" for line in text[:-1].split("\n"))
    return header + "\n" + body


def snapshot_yaml(title, source_url, sections) -> str:
    out = []
    if title:
        out.append("title: " + yaml_scalar(title) + "\n")
    if source_url:
        out.append("source_url: " + yaml_scalar(source_url) + "\n")
    out.append("sections:\n")
    for s in sections:
        out.append("  - id: " + yaml_scalar(s["id"]) + "\n")
        if s.get("heading"):
            out.append("    heading: " + yaml_scalar(s["heading"]) + "\n")
        if s.get("topics"):
            out.append("    topics: [" + ", ".join(s["topics"]) + "]\n")
        out.append("    text: " + yaml_block(s["text"], 6))
    return "".join(out)


def platform_yaml(p: dict) -> str:
    out = ["name: " + yaml_scalar(p["name"]) + "\n", "url: " + yaml_scalar(p["url"]) + "\n"]
    if p.get("category"):
        out.append("category: " + yaml_scalar(p["category"]) + "\n")
    if p.get("description"):
        out.append("description: >-\n")
        words = p["description"].split()
        line = ""
        for w in words:
            if line and len(line) + 1 + len(w) > 86:
                out.append("  " + line + "\n")
                line = w
            else:
                line = (line + " " + w) if line else w
        if line:
            out.append("  " + line + "\n")
    out.append("documents:\n")
    for d in p["documents"]:
        out.append("  - id: " + yaml_scalar(d["id"]) + "\n")
        out.append("    title: " + yaml_scalar(d["title"]) + "\n")
        if d.get("url"):
            out.append("    url: " + yaml_scalar(d["url"]) + "\n")
    return "".join(out)


# --------------------------------------------------------------------------
# Topic mapping
# --------------------------------------------------------------------------

def topics_for(rules, date: str | None) -> list[str]:
    """Topics of one mapping entry for a version captured on `date`.

    An entry is a list of topic slugs, a mapping {topics, since?, until?}, or
    a list of such mappings. With date None, every topic named is returned.
    """
    if not rules:
        return []
    if isinstance(rules, dict):
        rules = [rules]
    if all(isinstance(r, str) for r in rules):
        rules = [{"topics": rules}]
    out: list[str] = []
    for r in rules:
        since, until = r.get("since"), r.get("until")
        if date is not None:
            if since is not None and date < str(since):
                continue
            if until is not None and date > str(until):
                continue
        for t in r.get("topics") or []:
            if t not in out:
                out.append(t)
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(here.parent.parent / "shared" / "corpus"))
    ap.add_argument("--root", default=str(here.parent))
    ap.add_argument("--topics", default=str(here / "corpus-topics.yaml"))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    root = Path(args.root)
    content = root / "content"

    topic_map = {}
    if Path(args.topics).exists():
        topic_map = yaml.safe_load(Path(args.topics).read_text(encoding="utf-8")) or {}

    problems: list[str] = []
    used_topic_keys: set[tuple] = set()
    results = OrderedDict()   # (platform, doc) -> [(date, rule, sections, title)]

    files = sorted(corpus.glob("*/*/*.md"))
    for f in files:
        platform, doc, date = f.parts[-3], f.parts[-2], f.stem
        if platform not in PLATFORMS:
            problems.append(f"{f}: platform not in table")
            continue
        raw = f.read_text(encoding="utf-8")
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
        undoubled = undouble(raw)
        if undoubled != raw:
            print(f"note: {platform}/{doc}/{date}: capture held the text twice; kept one copy")
        src = clean(undoubled)
        if render(src) != render(undoubled.lstrip("\ufeff")):
            problems.append(f"{platform}/{doc}/{date}: clean-up changed the rendered HTML")
        doc_meta = next(d for d in PLATFORMS[platform]["documents"] if d["id"] == doc)
        source_url = SOURCE_URL_OVERRIDES.get((platform, doc, date), doc_meta.get("url"))
        fixed = absolutize(src, source_url)
        if fixed != src:
            print(f"note: {platform}/{doc}/{date}: made site-relative links absolute")
            src = fixed
        title, sections, rule = split_document(src)
        doc_topics = (topic_map.get(platform) or {}).get(doc) or {}
        for s in sections:
            tags = topics_for(doc_topics.get(s["id"]), date)
            if s["id"] in doc_topics:
                used_topic_keys.add((platform, doc, s["id"]))
            if tags:
                s["topics"] = tags
        text = snapshot_yaml(title, source_url, sections)
        out = content / "platforms" / platform / "snapshots" / doc / f"{date}.yaml"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        results.setdefault((platform, doc), []).append((date, rule, sections, title, out))

    # Remove snapshots this script no longer produces.
    produced = {r[4] for v in results.values() for r in v}
    for p in (content / "platforms").glob("*/snapshots/*/*.yaml"):
        if p not in produced and p.parent.parent.parent.name in PLATFORMS:
            p.unlink()

    for slug, p in PLATFORMS.items():
        d = content / "platforms" / slug
        d.mkdir(parents=True, exist_ok=True)
        (d / "platform.yaml").write_text(platform_yaml(p), encoding="utf-8")

    # ---------------- checks ----------------
    topic_files = {p.stem for p in (content / "topics").glob("*.md")}
    for (platform, doc), versions in results.items():
        for date, rule, sections, title, path in versions:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not loaded.get("sections"):
                problems.append(f"{path}: no sections")
                continue
            if len(loaded["sections"]) != len(sections):
                problems.append(f"{path}: section count differs after reload")
            ids = [s["id"] for s in loaded["sections"]]
            if len(set(ids)) != len(ids):
                problems.append(f"{path}: duplicate ids")
            for a, b in zip(sections, loaded["sections"]):
                if not isinstance(b["id"], str) or b["id"] != a["id"]:
                    problems.append(f"{path}: id {a['id']!r} reloads as {b['id']!r}")
                if b.get("heading") != a.get("heading"):
                    problems.append(f"{path}: heading {a.get('heading')!r} reloads as {b.get('heading')!r}")
                if b["text"] != a["text"]:
                    problems.append(f"{path}: text of {a['id']} differs after reload")
                if not b["text"].strip():
                    problems.append(f"{path}: empty text in {a['id']}")
                for t in b.get("topics") or []:
                    if t not in TOPICS:
                        problems.append(f"{path}: unknown topic {t}")
                    elif topic_files and t not in topic_files:
                        problems.append(f"{path}: topic {t} has no content/topics/{t}.md")
                if ROOT_LINK.search(b["text"]):
                    problems.append(f"{path}: section {a['id']} links to a site-relative path")
                toks = parse(b["text"])
                if any(t.type in ("code_block", "fence") for t in toks):
                    problems.append(f"{path}: section {a['id']} renders a code block")
            if title is not None and loaded.get("title") != title:
                problems.append(f"{path}: title reloads differently")
    for platform, docs in topic_map.items():
        for doc, ids in (docs or {}).items():
            latest = results.get((platform, doc), [])
            latest_ids = {s["id"] for s in latest[-1][2]} if latest else set()
            for sid, rules in (ids or {}).items():
                if (platform, doc, sid) not in used_topic_keys:
                    problems.append(f"corpus-topics.yaml: {platform}/{doc}/{sid} matches no section")
                for t in topics_for(rules, None):
                    if t not in TOPICS:
                        problems.append(f"corpus-topics.yaml: unknown topic {t}")

    # ---------------- report ----------------
    print("\n## Section counts per version (rule: H=headings, I=numbered items, L=heading-like lines)\n")
    print("| platform/document | versions: date sections(rule) |")
    print("|---|---|")
    for (platform, doc), versions in results.items():
        cells = " · ".join(f"{d} {len(s)}({r[0].upper()})" for d, r, s, _, _ in versions)
        print(f"| {platform}/{doc} | {cells} |")

    print("\n## Ids kept between consecutive versions (kept/later version's count)\n")
    print("| platform/document | transitions |")
    print("|---|---|")
    tot_kept = tot = 0
    for (platform, doc), versions in results.items():
        cells = []
        for (d1, _, s1, _, _), (d2, _, s2, _, _) in zip(versions, versions[1:]):
            a = {s["id"] for s in s1}
            b = {s["id"] for s in s2}
            kept = len(a & b)
            tot_kept += kept
            tot += len(b)
            cells.append(f"→{d2}: {kept}/{len(b)}")
        print(f"| {platform}/{doc} | {' · '.join(cells)} |")
    if tot:
        print(f"\nOverall: {tot_kept}/{tot} ids ({100 * tot_kept / tot:.0f}%) persist from one version to the next.")

    print("\n## Topic coverage on the latest snapshots\n")
    print("| topic | platforms | sections |")
    print("|---|---|---|")
    for t in TOPICS:
        plats = OrderedDict()
        for (platform, doc), versions in results.items():
            for s in versions[-1][2]:
                if t in (s.get("topics") or []):
                    plats.setdefault(platform, []).append(f"{doc}#{s['id']}")
        n = len(plats)
        if n < 3:
            problems.append(f"topic {t}: only {n} platforms on latest snapshots")
        secs = "; ".join(f"{p}: {', '.join(v)}" for p, v in plats.items())
        print(f"| {t} | {n} | {secs} |")

    print()
    if problems:
        print(f"{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        return 1
    print(f"OK: {sum(len(v) for v in results.values())} snapshots of {len(results)} documents, "
          f"{len(PLATFORMS)} platforms; every file reloads exactly, no empty text, ids unique.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
