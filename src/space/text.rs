//! The compact text forms of architectures and spaces (grammar in docs/space.md).
//!
//! ```text
//! ARCH   := DATASET '/' FAMILY OPTS? '/' CELLS        (CELLS: the family's cell grammar)
//! SPACE  := DATASET '/' FAMILY OPTS? ('/' ITEM (';' ITEM)*)?
//! ITEM   := 'cells=' INT | ('c' INT '.')? KEY '=' VALUES
//! KEY    := a coordinate's key (d, w, t, e; 1~0, …), a group's (ops), or 's'
//! VALUES := INT | INT '..' INT (':' INT)? | '*'      (an ordinal coordinate)
//!         | NAME ('|' NAME)*                          (a categorical one)
//! OPTS   := '(' KEY '=' VALUE (';' KEY '=' VALUE)* ')'
//! ```
//! The lettered families' cells are `CELL ('-' CELL)*`, CELL := 'd' INT 'w'
//! INT ('t' (INT | '*'))? ('e' INT)? ('s' INT)?; NAS-Bench-201's is the
//! benchmark's cell string. No commas and no spaces, so a form sits unquoted in
//! a CSV column and reads well in a URL. Printing gives the canonical form:
//! options only where they differ from the defaults, a coordinate only where
//! its family prints it, `s` only where it differs from the default stride.

use super::*;

const ARCH: &str = "architecture";
const SPACE: &str = "search space";

/// A position in a text being parsed; errors name the position.
pub struct Cursor<'a> {
    text: &'a str,
    pub(crate) pos: usize,
    pub(crate) what: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, what: &'static str) -> Self {
        Cursor { text, pos: 0, what }
    }

    pub(crate) fn err(&self, message: impl Into<String>) -> Error {
        Error::parse(self.what, self.pos, message)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect(&mut self, c: char, context: &str) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{c}' {context}, found {}", self.describe_next())))
        }
    }

    pub(crate) fn expect_str(&mut self, s: &str, context: &str) -> Result<()> {
        if self.eat_str(s) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{s}' {context}, found {}", self.describe_next())))
        }
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "the end".into(),
        }
    }

    /// A run of characters satisfying `keep` (possibly empty).
    pub(crate) fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.text[start..self.pos]
    }

    fn word(&mut self) -> &'a str {
        self.take_while(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    pub(crate) fn int(&mut self, field: &str) -> Result<u32> {
        let start = self.pos;
        let digits = self.take_while(|c| c.is_ascii_digit());
        if digits.is_empty() {
            self.pos = start;
            return Err(self.err(format!(
                "expected a whole number for {field}, found {}",
                self.describe_next()
            )));
        }
        digits
            .parse::<u32>()
            .map_err(|_| Error::parse(self.what, start, format!("{field} = {digits} is too large")))
    }

    fn end(&self) -> Result<()> {
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(self.err(format!("unexpected {} after the end", self.describe_next())))
        }
    }
}

/// `DATASET '/' FAMILY OPTS?` (the '/' after it is the caller's).
fn parse_frame(cur: &mut Cursor) -> Result<Frame> {
    let at = cur.pos;
    let dataset = Dataset::by_name(cur.word()).map_err(|e| relocate(e, cur.what, at))?;
    cur.expect('/', "after the data set")?;
    let at = cur.pos;
    let family = Family::by_name(cur.word()).map_err(|e| relocate(e, cur.what, at))?;
    let mut options = Options::defaults(family);
    if cur.eat('(') {
        loop {
            let key_at = cur.pos;
            let key = cur.word();
            cur.expect('=', &format!("after option '{key}'"))?;
            match key {
                "stem" => options.stem = Some(cur.int("stem")?),
                "stem_stride" => options.stem_stride = cur.int("stem_stride")?,
                "head" => options.head = Some(cur.int("head")?),
                "k" => options.widen = cur.int("k")?,
                "bottleneck" => options.bottleneck = cur.int("bottleneck")?,
                "compression" => options.compression_milli = Some(parse_milli(cur)?),
                "shortcut" => {
                    options.shortcut = match cur.word() {
                        "proj" => Shortcut::Proj,
                        "pad" => Shortcut::Pad,
                        other => return Err(Error::parse(cur.what, key_at, format!("shortcut = '{other}': allowed proj or pad"))),
                    }
                }
                other => {
                    return Err(Error::parse(
                        cur.what,
                        key_at,
                        format!("unknown option '{other}': allowed stem, stem_stride, head, k, bottleneck, compression, shortcut"),
                    ))
                }
            }
            if !cur.eat(';') {
                break;
            }
        }
        cur.expect(')', "to close the options")?;
    }
    Ok(Frame { dataset, family, options })
}

/// Attaches a position to a field error met while parsing.
fn relocate(e: Error, what: &'static str, at: usize) -> Error {
    Error::parse(what, at, e.to_string())
}

/// A decimal in (0, 1] with at most three decimals, as thousandths.
fn parse_milli(cur: &mut Cursor) -> Result<u32> {
    let at = cur.pos;
    let text = cur.take_while(|c| c.is_ascii_digit() || c == '.');
    let bad = || {
        Error::parse(
            cur.what,
            at,
            format!(
                "compression = '{text}': allowed a decimal in 0.001..=1 with at most 3 decimals"
            ),
        )
    };
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 3 || whole.len() > 4 {
        return Err(bad());
    }
    let whole: u32 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_milli: u32 =
        if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().map_err(|_| bad())? };
    Ok(whole * 1000 + frac_milli)
}

fn print_milli(milli: u32) -> String {
    let s = format!("{}.{:03}", milli / 1000, milli % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn parse_architecture(text: &str) -> Result<ArchitectureParams> {
    let mut cur = Cursor::new(text.trim(), ARCH);
    let frame = parse_frame(&mut cur)?;
    cur.expect('/', "after the family")?;
    let cells = frame.family.parse_cells(&mut cur)?;
    cur.end()?;
    Ok(ArchitectureParams {
        dataset: frame.dataset,
        family: frame.family,
        options: frame.options,
        cells,
    })
}

pub(super) fn print_frame(frame: &Frame) -> String {
    let o = &frame.options;
    let d = Options::defaults(frame.family);
    let mut opts = Vec::new();
    if let Some(stem) = o.stem {
        opts.push(format!("stem={stem}"));
    }
    if o.stem_stride != d.stem_stride {
        opts.push(format!("stem_stride={}", o.stem_stride));
    }
    if let Some(head) = o.head {
        opts.push(format!("head={head}"));
    }
    if frame.family == Family::WideRes {
        opts.push(format!("k={}", o.widen));
    }
    if o.bottleneck != d.bottleneck {
        opts.push(format!("bottleneck={}", o.bottleneck));
    }
    if let Some(c) = o.compression_milli {
        opts.push(format!("compression={}", print_milli(c)));
    }
    if o.shortcut == Shortcut::Pad {
        opts.push("shortcut=pad".into());
    }
    let opts = if opts.is_empty() { String::new() } else { format!("({})", opts.join(";")) };
    format!("{}/{}{}/", frame.dataset.name, frame.family.name(), opts)
}

pub(super) fn print_architecture(frame: &Frame, cells: &[Cell]) -> String {
    let mut out = print_frame(frame);
    frame.family.print_cells(cells, &mut out);
    out
}

fn parse_range(cur: &mut Cursor, field: &str) -> Result<ValueRange> {
    if cur.eat('*') {
        return Ok(ValueRange::single(ALL));
    }
    let lo = cur.int(field)?;
    if !cur.rest().starts_with("..") {
        return Ok(ValueRange::single(lo));
    }
    cur.pos += 2;
    let hi = cur.int(field)?;
    let step = if cur.eat(':') { cur.int(&format!("{field} step"))? } else { 1 };
    Ok(ValueRange { lo, hi, step })
}

/// A categorical coordinate's values: names joined by '|', as a bit mask.
fn parse_names(cur: &mut Cursor, key: &str, names: &[&str]) -> Result<u32> {
    let mut mask = 0u32;
    loop {
        let at = cur.pos;
        let name = cur.word();
        let i = names.iter().position(|n| *n == name).ok_or_else(|| {
            Error::parse(
                cur.what,
                at,
                format!("{key} = '{name}': allowed names of {} joined by |", names.join(", ")),
            )
        })?;
        mask |= 1 << i;
        if !cur.eat('|') {
            break;
        }
    }
    Ok(mask)
}

pub(crate) fn print_range(r: &ValueRange) -> String {
    match (r.lo, r.lo == r.hi, r.step) {
        (ALL, _, _) => "*".into(),
        (lo, true, _) => lo.to_string(),
        (lo, false, 1) => format!("{lo}..{}", r.hi),
        (lo, false, step) => format!("{lo}..{}:{step}", r.hi),
    }
}

/// A coordinate's values as the space text writes them.
pub(crate) fn print_values(c: &Coordinate, v: &Values) -> String {
    match (v, c.kind) {
        (Values::Range(r), _) => print_range(r),
        (Values::Set(mask), Kind::Categorical { names }) => names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask >> i & 1 == 1)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join("|"),
        (Values::Set(mask), Kind::Ordinal) => format!("{mask:#x}"),
    }
}

/// What a space item sets: some coordinates, or the stride.
#[derive(Clone, Copy)]
enum Target {
    Coords(&'static [usize]),
    Stride,
}

const SINGLE: [usize; MAX_COORDS] = [0, 1, 2, 3, 4, 5];

pub(super) fn parse_space(text: &str) -> Result<SpaceParams> {
    let mut cur = Cursor::new(text.trim(), SPACE);
    let frame = parse_frame(&mut cur)?;
    let family = frame.family;
    let coords = family.coordinates();
    let mut shared = CellRanges::defaults(family, 1);
    let mut cell_count = family.default_cells();
    // Shared ranges apply to every cell; `cK.x=` overrides one cell. Overrides are
    // applied after the cell count is known, whatever order the items come in.
    let mut overrides: Vec<(usize, usize, Target, Values)> = Vec::new();
    let mut all_strides: Option<u32> = None;
    let ends_here = family.space_may_end_at_frame() && cur.rest().is_empty();
    if !ends_here {
        cur.expect('/', "after the family")?;
    }
    while !cur.rest().is_empty() || !ends_here {
        let at = cur.pos;
        let key = cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '~');
        if key == "cells" {
            cur.expect('=', "after 'cells'")?;
            let n = cur.int("number of cells")?;
            cell_count = in_range("number of cells", n, family.cell_limits())
                .map_err(|e| relocate(e, SPACE, at))? as usize;
            if !cur.eat(';') {
                break;
            }
            continue;
        }
        let (cell, name) = match key
            .strip_prefix('c')
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(index) => {
                let n: usize = index.parse().map_err(|_| {
                    Error::parse(SPACE, at, format!("cell number '{index}' is too large"))
                })?;
                cur.expect('.', &format!("after cell '{key}'"))?;
                (Some(n), cur.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '~'))
            }
            None => (None, key),
        };
        let target = if let Some(j) = coords.iter().position(|c| c.key == name) {
            Target::Coords(&SINGLE[j..j + 1])
        } else if let Some((_, group)) = family.groups().iter().find(|(k, _)| *k == name) {
            Target::Coords(group)
        } else if name == "s" && family.has_stride() {
            Target::Stride
        } else {
            let mut keys: Vec<&str> = vec!["cells"];
            keys.extend(family.groups().iter().map(|(k, _)| *k));
            keys.extend(coords.iter().map(|c| c.key));
            if family.has_stride() {
                keys.push("s");
            }
            return Err(Error::parse(
                SPACE,
                at,
                format!(
                    "unknown item '{name}': allowed {}, or cK.{} (…) for cell K",
                    keys.join(", "),
                    coords[0].key
                ),
            ));
        };
        cur.expect('=', &format!("after '{name}'"))?;
        let values = match target {
            Target::Stride => {
                let range = parse_range(&mut cur, name)?;
                if range.lo != range.hi {
                    return Err(Error::parse(
                        SPACE,
                        at,
                        "s takes one value, the stride: allowed 1 or 2",
                    ));
                }
                Values::single(range.lo)
            }
            Target::Coords(js) => match coords[js[0]].kind {
                Kind::Ordinal => Values::Range(parse_range(&mut cur, name)?),
                Kind::Categorical { names } => Values::Set(parse_names(&mut cur, name, names)?),
            },
        };
        match (cell, target) {
            (None, Target::Stride) => all_strides = Some(values.value(0)),
            (None, t) => set(&mut shared, t, values),
            (Some(n), t) => overrides.push((at, n, t, values)),
        }
        if !cur.eat(';') {
            break;
        }
    }
    cur.end()?;
    let mut cells: Vec<CellRanges> = (0..cell_count)
        .map(|i| {
            let mut c = shared;
            c.stride = if family.has_stride() { default_stride(i) } else { 1 };
            c
        })
        .collect();
    if let Some(s) = all_strides {
        cells.iter_mut().for_each(|c| c.stride = s);
    }
    for (at, n, target, values) in overrides {
        let cell = cells.get_mut(n.wrapping_sub(1)).ok_or_else(|| {
            Error::parse(SPACE, at, format!("cell c{n} does not exist: allowed c1..=c{cell_count}"))
        })?;
        set(cell, target, values);
    }
    Ok(SpaceParams { frame, cells })
}

fn set(cell: &mut CellRanges, target: Target, values: Values) {
    match target {
        Target::Coords(js) => js.iter().for_each(|&j| cell.coords[j] = values),
        // A stride is one value (ranges are refused while parsing).
        Target::Stride => cell.stride = values.value(0),
    }
}

pub(super) fn print_space(frame: &Frame, cells: &[CellRanges]) -> String {
    let family = frame.family;
    let coords = family.coordinates();
    if family.space_may_end_at_frame() {
        return print_compact_space(frame, cells);
    }
    let mut items = vec![format!("cells={}", cells.len())];
    let shared = cells[0];
    for (j, c) in coords.iter().enumerate() {
        if c.only_in.is_none() {
            items.push(format!("{}={}", c.key, print_values(c, &shared.coords[j])));
        }
    }
    for (i, cell) in cells.iter().enumerate() {
        for (j, c) in coords.iter().enumerate() {
            if cell.coords[j] != shared.coords[j] {
                items.push(format!("c{}.{}={}", i + 1, c.key, print_values(c, &cell.coords[j])));
            }
        }
        if cell.stride != default_stride(i) {
            items.push(format!("c{}.s={}", i + 1, cell.stride));
        }
    }
    format!("{}{}", print_frame(frame), items.join(";"))
}

/// A one-cell space that lists only what differs from its defaults: a group's
/// key where all of its coordinates share a range, then each coordinate that
/// still differs; nothing after the frame when all are defaults.
fn print_compact_space(frame: &Frame, cells: &[CellRanges]) -> String {
    let family = frame.family;
    let coords = family.coordinates();
    let cell = &cells[0];
    let mut items = Vec::new();
    let mut base: Vec<Values> = coords.iter().map(|c| c.default).collect();
    for (key, group) in family.groups() {
        // The group's most common range (the first of equally common ones).
        let count = |v: &Values| group.iter().filter(|&&j| cell.coords[j] == *v).count();
        let common = group
            .iter()
            .map(|&j| cell.coords[j])
            .fold(None::<Values>, |best, v| match best {
                Some(b) if count(&b) >= count(&v) => Some(b),
                _ => Some(v),
            })
            .expect("a group has coordinates");
        if count(&common) > 1 && group.iter().any(|&j| base[j] != common) {
            items.push(format!("{key}={}", print_values(&coords[group[0]], &common)));
            group.iter().for_each(|&j| base[j] = common);
        }
    }
    for (j, c) in coords.iter().enumerate() {
        if cell.coords[j] != base[j] {
            items.push(format!("{}={}", c.key, print_values(c, &cell.coords[j])));
        }
    }
    let frame = print_frame(frame);
    if items.is_empty() {
        frame.trim_end_matches('/').to_string()
    } else {
        format!("{frame}{}", items.join(";"))
    }
}
