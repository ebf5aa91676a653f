//! The compact text forms of architectures and spaces (grammar in docs/space.md).
//!
//! ```text
//! ARCH  := DATASET '/' FAMILY OPTS? '/' CELL ('-' CELL)*
//! CELL  := 'd' INT 'w' INT ('t' (INT | '*'))? ('e' INT)? ('s' INT)?
//! SPACE := DATASET '/' FAMILY OPTS? '/' ITEM (';' ITEM)*
//! ITEM  := 'cells=' INT | ('c' INT '.')? ('d'|'w'|'t'|'e'|'s') '=' RANGE
//! RANGE := INT | INT '..' INT (':' INT)? | '*'
//! OPTS  := '(' KEY '=' VALUE (';' KEY '=' VALUE)* ')'
//! ```
//! No commas and no spaces, so a form sits unquoted in a CSV column and reads
//! well in a URL. Printing gives the canonical form: options only where they
//! differ from the defaults, `t` omitted where it is `*` outside the dense
//! family, `s` only where it differs from the default stride.

use super::*;

const ARCH: &str = "architecture";
const SPACE: &str = "search space";

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, what: &'static str) -> Self {
        Cursor { text, pos: 0, what }
    }

    fn err(&self, message: impl Into<String>) -> Error {
        Error::parse(self.what, self.pos, message)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, context: &str) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{c}' {context}, found {}", self.describe_next())))
        }
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "the end".into(),
        }
    }

    /// A run of characters satisfying `keep` (possibly empty).
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
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

    fn int(&mut self, field: &str) -> Result<u32> {
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

/// `DATASET '/' FAMILY OPTS? '/'`
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
    cur.expect('/', "after the family")?;
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
    let mut cells = Vec::new();
    loop {
        if cells.len() as u32 >= limits::CELLS.1 {
            return Err(cur.err(format!(
                "more than {} cells: allowed {}..={}",
                limits::CELLS.1,
                limits::CELLS.0,
                limits::CELLS.1
            )));
        }
        let n = cells.len() + 1;
        cur.expect('d', &format!("to start cell {n} (d<depth>w<width>…)"))?;
        let depth = cur.int(&format!("cell {n} depth d"))?;
        cur.expect('w', &format!("after cell {n}'s depth"))?;
        let width = cur.int(&format!("cell {n} width w"))?;
        let mut cell = CellParams { depth, width, skip: None, expansion: None, stride: None };
        if cur.eat('t') {
            cell.skip =
                Some(if cur.eat('*') { ALL } else { cur.int(&format!("cell {n} skip budget t"))? });
        }
        if cur.eat('e') {
            cell.expansion = Some(cur.int(&format!("cell {n} expansion e"))?);
        }
        if cur.eat('s') {
            cell.stride = Some(cur.int(&format!("cell {n} stride s"))?);
        }
        cells.push(cell);
        if !cur.eat('-') {
            break;
        }
    }
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
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(&format!("d{}w{}", c.depth, c.width));
        match (frame.family, c.skip) {
            (Family::Dense, ALL) => out.push_str("t*"),
            (_, ALL) => {}
            (_, t) => out.push_str(&format!("t{t}")),
        }
        if frame.family == Family::Mobile {
            out.push_str(&format!("e{}", c.expansion));
        }
        if c.stride != default_stride(i) {
            out.push_str(&format!("s{}", c.stride));
        }
    }
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

pub(crate) fn print_range(r: &ValueRange) -> String {
    match (r.lo, r.lo == r.hi, r.step) {
        (ALL, _, _) => "*".into(),
        (lo, true, _) => lo.to_string(),
        (lo, false, 1) => format!("{lo}..{}", r.hi),
        (lo, false, step) => format!("{lo}..{}:{step}", r.hi),
    }
}

pub(super) fn parse_space(text: &str) -> Result<SpaceParams> {
    let mut cur = Cursor::new(text.trim(), SPACE);
    let frame = parse_frame(&mut cur)?;
    // Shared ranges apply to every cell; `cK.x=` overrides one cell. Overrides are
    // applied after the cell count is known, whatever order the items come in.
    let mut shared = CellRanges::defaults(frame.family, 1);
    let mut cell_count = 3usize;
    let mut overrides: Vec<(usize, usize, char, ValueRange)> = Vec::new();
    let mut all_strides: Option<ValueRange> = None;
    loop {
        let at = cur.pos;
        let key = cur.word();
        let (cell, param) = if key == "cells" {
            cur.expect('=', "after 'cells'")?;
            let n = cur.int("number of cells")?;
            cell_count = in_range("number of cells", n, limits::CELLS)
                .map_err(|e| relocate(e, SPACE, at))? as usize;
            if !cur.eat(';') {
                break;
            }
            continue;
        } else if let Some(index) =
            key.strip_prefix('c').filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        {
            let n: usize = index.parse().map_err(|_| {
                Error::parse(SPACE, at, format!("cell number '{index}' is too large"))
            })?;
            cur.expect('.', &format!("after cell '{key}'"))?;
            (Some(n), cur.word())
        } else {
            (None, key)
        };
        let param = match param {
            "d" | "w" | "t" | "e" | "s" => param.chars().next().unwrap_or('d'),
            other => {
                return Err(Error::parse(
                    SPACE,
                    at,
                    format!(
                    "unknown item '{other}': allowed cells, d, w, t, e, s, or cK.d (…) for cell K"
                ),
                ))
            }
        };
        cur.expect('=', &format!("after '{param}'"))?;
        let range = parse_range(&mut cur, &param.to_string())?;
        if param == 's' && range.lo != range.hi {
            return Err(Error::parse(SPACE, at, "s takes one value, the stride: allowed 1 or 2"));
        }
        match cell {
            None if param == 's' => all_strides = Some(range),
            None => set_range(&mut shared, param, range),
            Some(n) => overrides.push((at, n, param, range)),
        }
        if !cur.eat(';') {
            break;
        }
    }
    cur.end()?;
    let mut cells: Vec<CellRanges> =
        (0..cell_count).map(|i| CellRanges { stride: default_stride(i), ..shared }).collect();
    if let Some(range) = all_strides {
        cells.iter_mut().for_each(|c| set_range(c, 's', range));
    }
    for (at, n, param, range) in overrides {
        let cell = cells.get_mut(n.wrapping_sub(1)).ok_or_else(|| {
            Error::parse(SPACE, at, format!("cell c{n} does not exist: allowed c1..=c{cell_count}"))
        })?;
        set_range(cell, param, range);
    }
    Ok(SpaceParams { frame, cells })
}

fn set_range(cell: &mut CellRanges, param: char, range: ValueRange) {
    match param {
        'd' => cell.depth = range,
        'w' => cell.width = range,
        't' => cell.skip = range,
        'e' => cell.expansion = range,
        // A stride is one value (ranges are refused while parsing).
        _ => cell.stride = range.lo,
    }
}

pub(super) fn print_space(frame: &Frame, cells: &[CellRanges]) -> String {
    let mut items = vec![format!("cells={}", cells.len())];
    let shared = cells[0];
    type Getter = fn(&CellRanges) -> ValueRange;
    let params: [(char, Getter); 4] =
        [('d', |c| c.depth), ('w', |c| c.width), ('t', |c| c.skip), ('e', |c| c.expansion)];
    for (name, get) in params {
        if name != 'e' || frame.family == Family::Mobile {
            items.push(format!("{name}={}", print_range(&get(&shared))));
        }
    }
    for (i, c) in cells.iter().enumerate() {
        for (name, get) in params {
            if get(c) != get(&shared) {
                items.push(format!("c{}.{name}={}", i + 1, print_range(&get(c))));
            }
        }
        if c.stride != default_stride(i) {
            items.push(format!("c{}.s={}", i + 1, c.stride));
        }
    }
    format!("{}{}", print_frame(frame), items.join(";"))
}
