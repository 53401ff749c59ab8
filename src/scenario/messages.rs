//! TOML errors in the user's words: the line, column and dotted key at
//! fault, the value found and what is allowed, without Rust type names,
//! and never echoing more than a bounded excerpt of the input.

use crate::error::excerpt;

/// The dotted key (`[graph].nodes`, `[seeding].plans[1].count`) of the
/// value or key at byte `at` of `text`, by a small scan of the TOML:
/// table headers, `key =`, inline tables and arrays. None when `at` is not
/// inside a key's value.
pub(super) fn key_at(text: &str, at: usize) -> Option<String> {
    // One frame per open inline table or array: the path before it, and
    // for arrays the index of the current element.
    #[derive(Clone)]
    enum Frame {
        Table(String),
        Array(String, usize),
    }
    let bytes = text.as_bytes();
    let mut header = String::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pending: Option<String> = None; // the key whose value is being read
    let mut key_buf = String::new();
    let mut i = 0;
    let path_of = |stack: &[Frame], header: &str| -> String {
        match stack.last() {
            Some(Frame::Table(p)) => p.clone(),
            Some(Frame::Array(p, k)) => format!("{p}[{k}]"),
            None => header.to_string(),
        }
    };
    let join = |base: &str, key: &str| {
        if base.is_empty() {
            key.to_string()
        } else {
            format!("{base}.{key}")
        }
    };
    let mut current: Option<String> = None; // path of the value at `i`
    while i < bytes.len() && i <= at {
        let c = bytes[i];
        let header_start = c == b'[' && stack.is_empty() && pending.is_none();
        if i == at && c != b'"' && c != b'\'' && !header_start {
            return current.or_else(|| {
                let k = key_buf.trim();
                (!k.is_empty()).then(|| join(&path_of(&stack, &header), k))
            });
        }
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                // A string: a key when no value is pending, else a value.
                let q = c;
                let triple = bytes[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" });
                let start = i;
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    // An escape never runs past the end of a one-line string.
                    if q == b'"'
                        && bytes[i] == b'\\'
                        && (triple || bytes.get(i + 1) != Some(&b'\n'))
                    {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if bytes[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" }) {
                            i += 3;
                            break;
                        }
                    } else if bytes[i] == q || bytes[i] == b'\n' {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                if pending.is_none() {
                    key_buf.push_str(text.get(start + 1..i.saturating_sub(1)).unwrap_or(""));
                }
                if start <= at && at < i {
                    return current.or_else(|| Some(join(&path_of(&stack, &header), &key_buf)));
                }
                continue;
            }
            b'[' if stack.is_empty() && pending.is_none() => {
                // A table header at the start of a line.
                let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
                if text[line_start..i].trim().is_empty() {
                    let end = text[i..].find('\n').map_or(text.len(), |p| i + p);
                    let h = text[i..end].split('#').next().unwrap_or("").trim();
                    let name = h.trim_start_matches('[').trim_end_matches(']').trim();
                    header = format!("[{name}]");
                    if i <= at && at < end {
                        return Some(header.clone());
                    }
                    i = end;
                    continue;
                }
            }
            b'=' if pending.is_none() => {
                let k = key_buf.trim().to_string();
                pending = Some(k.clone());
                current = Some(join(&path_of(&stack, &header), &k));
                key_buf.clear();
            }
            b'{' => {
                let p = current.clone().unwrap_or_else(|| path_of(&stack, &header));
                stack.push(Frame::Table(p));
                pending = None;
                current = None;
            }
            b'[' => {
                let p = current.clone().unwrap_or_else(|| path_of(&stack, &header));
                stack.push(Frame::Array(p.clone(), 0));
                current = Some(format!("{p}[0]"));
                pending = Some(String::new());
            }
            b'}' => {
                stack.pop();
                current = Some(path_of(&stack, &header));
                pending = Some(String::new());
            }
            b']' => {
                stack.pop();
                current = Some(path_of(&stack, &header));
                pending = Some(String::new());
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(p, k)) => {
                    *k += 1;
                    current = Some(format!("{p}[{k}]"));
                }
                Some(Frame::Table(_)) => {
                    pending = None;
                    current = None;
                    key_buf.clear();
                }
                None => {}
            },
            b'\n' if stack.is_empty() => {
                pending = None;
                current = None;
                key_buf.clear();
            }
            _ if pending.is_none() && !c.is_ascii_whitespace() => key_buf.push(c as char),
            _ => {}
        }
        if i == at {
            return current;
        }
        i += 1;
    }
    current
}

/// Serde's words for types, in the user's words.
fn reword_type(t: &str) -> String {
    let t = t.trim();
    let t = t.trim_matches('`');
    match t {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number ≥ 0".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a string" | "string" | "a borrowed string" => "a string in quotes".into(),
        "a sequence" | "sequence" => "a list [..]".into(),
        "map" | "a map" => "a table".into(),
        "unit" => "nothing".into(),
        "variant identifier" => "a name in quotes".into(),
        _ if t.starts_with("struct ") || t.starts_with("enum ") || t.contains("Raw") => {
            "a table".into()
        }
        _ if t.starts_with("integer ") => format!("the whole number {}", t[8..].trim_matches('`')),
        _ if t.starts_with("floating point ") => {
            format!("the number {}", t[15..].trim_matches('`'))
        }
        _ if t.starts_with("string ") => format!("the string {}", excerpt(&t[7..])),
        _ if t.starts_with("boolean ") => t[8..].trim_matches('`').to_string(),
        _ => excerpt(t),
    }
}

/// A serde message without Rust type names.
pub(super) fn reword(msg: &str) -> String {
    let msg = msg.trim();
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                return format!(
                    "found {}, expected {}",
                    reword_type(found),
                    reword_type(expected)
                );
            }
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let (field, allowed) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let allowed = allowed.trim_start_matches("one of ").replace('`', "");
        return format!(
            "unknown key {}{}",
            excerpt(field.trim_matches('`')),
            if allowed.is_empty() {
                String::new()
            } else {
                format!("; allowed: {allowed}")
            }
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let (v, allowed) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "{} is not known; allowed: {}",
            excerpt(v.trim_matches('`')),
            allowed.trim_start_matches("one of ").replace('`', "\"")
        );
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("missing key {}", rest.trim_matches('`'));
    }
    if msg.contains("untagged enum PersonId") {
        return "expected a person id: a whole number ≥ 0 or a label in quotes".into();
    }
    excerpt(msg)
}

/// An error from deserialising a TOML value that sits at `key` (such as
/// `[seeding].plans[1]`), as one line: the inner key it names joined to
/// `key`, then the message in the user's words.
pub(super) fn value_message(e: &toml::de::Error, key: &str) -> String {
    let text = e.to_string();
    let (what, inner) = match text.split_once("\nin `") {
        Some((what, rest)) => (what, rest.trim().trim_end_matches('`')),
        None => (text.as_str(), ""),
    };
    let at = if inner.is_empty() {
        key.to_string()
    } else {
        format!("{key}.{}", one_line(inner))
    };
    format!("{at}: {}", one_line(&reword(what)))
}

/// `s` with control characters (a new line inside a broken quoted key)
/// written as escapes, so that a message stays on one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A TOML error as one line: position, key, what was found and allowed.
pub(super) fn toml_message(e: &toml::de::Error, text: &str) -> String {
    let what = reword(e.message());
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1;
            let key = key_at(text, span.start);
            match key {
                Some(k) => format!(
                    "line {line}, column {col}: {}: {what}",
                    excerpt(&one_line(&k))
                ),
                None => format!("line {line}, column {col}: {what}"),
            }
        }
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found() {
        let text = "name = \"x\"\n[graph]\nkind = \"er\"\nnodes = -5\n[content]\nshare_delay = { distribution = \"g\", p = \"x\" }\n[seeding]\nplans = [\n  { strategy = \"random\", count = 1 },\n  { strategy = \"top\", count = -2 },\n]\n";
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(key_at(text, at("-5")).as_deref(), Some("[graph].nodes"));
        assert_eq!(
            key_at(text, at("\"x\" }")).as_deref(),
            Some("[content].share_delay.p")
        );
        assert_eq!(
            key_at(text, at("-2")).as_deref(),
            Some("[seeding].plans[1].count")
        );
        assert_eq!(key_at(text, at("\"x\"\n")).as_deref(), Some("name"));
    }

    #[test]
    fn rust_types_are_reworded() {
        assert_eq!(
            reword("invalid value: integer `-5`, expected u64"),
            "found the whole number -5, expected a whole number ≥ 0"
        );
        assert_eq!(
            reword("invalid type: map, expected f64"),
            "found a table, expected a number"
        );
        assert!(
            !reword("invalid type: string \"x\", expected internally tagged enum RawTrust")
                .contains("Raw")
        );
    }
}
