//! The two image data sets the trainer reads (data/datasets/README.md): their
//! file formats, checked, and the fixed train/test split.

use crate::error::{Error, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::Read;

/// Most images a data set may hold: a corrupt header cannot make us allocate
/// more than 60,000 · 28 · 28 floats.
pub const MAX_IMAGES: usize = 60_000;
/// Most pixels on a side.
pub const MAX_SIDE: usize = 64;
/// The split never depends on a training seed, so every network of a sample set
/// sees the same test images.
pub const SPLIT_SEED: u64 = 2021;

/// Images as floats in [0, 1], one channel, row-major, and their labels 0..10.
#[derive(Clone, Debug, PartialEq)]
pub struct Images {
    pub height: usize,
    pub width: usize,
    pub pixels: Vec<f32>,
    pub labels: Vec<u8>,
}

impl Images {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.height * self.width;
        &self.pixels[i * n..(i + 1) * n]
    }

    fn select(&self, idx: &[usize]) -> Images {
        let mut pixels = Vec::with_capacity(idx.len() * self.height * self.width);
        for &i in idx {
            pixels.extend_from_slice(self.image(i));
        }
        Images {
            height: self.height,
            width: self.width,
            pixels,
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// A shuffled split (seed [`SPLIT_SEED`]): the first `train` images train,
    /// the rest test.
    pub fn split(&self, train: usize) -> Result<(Images, Images)> {
        if train == 0 || train >= self.len() {
            return Err(Error::field(
                "train images",
                train,
                format!(
                    "1..={} (the data set has {} images)",
                    self.len().saturating_sub(1),
                    self.len()
                ),
            ));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        super::shuffle(&mut order, &mut ChaCha8Rng::seed_from_u64(SPLIT_SEED));
        Ok((self.select(&order[..train]), self.select(&order[train..])))
    }
}

/// A data set the trainer knows, with its split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataSet {
    Digits,
    Mnist,
}

impl DataSet {
    pub const ALL: [DataSet; 2] = [DataSet::Digits, DataSet::Mnist];

    pub fn name(self) -> &'static str {
        match self {
            DataSet::Digits => "digits",
            DataSet::Mnist => "mnist",
        }
    }

    pub fn by_name(name: &str) -> Result<DataSet> {
        DataSet::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::field("dataset", name, "one of digits, mnist"))
    }

    /// Training images of the split (the rest test): 80 % of digits (1,437 of
    /// 1,797, scikit-learn's usual split), 8,000 of the 10,000 MNIST images.
    pub fn train_images(self) -> usize {
        match self {
            DataSet::Digits => 1_437,
            DataSet::Mnist => 8_000,
        }
    }

    /// The space its shipped sample set was drawn from (docs/accuracy.md): DenseNet-type
    /// cells small enough that the whole set trains in minutes on two cores.
    pub fn training_space(self) -> &'static str {
        crate::predictor::shipped(self.name()).expect("every data set has a shipped set").space
    }

    /// Files under data/datasets/ that hold it.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            DataSet::Digits => &["digits.csv.gz"],
            DataSet::Mnist => &["mnist10k-images-idx3-ubyte.gz", "mnist10k-labels-idx1-ubyte.gz"],
        }
    }

    /// Reads the data set from the contents of [`DataSet::files`], in order.
    pub fn read(self, files: &[&[u8]]) -> Result<Images> {
        match (self, files) {
            (DataSet::Digits, [csv]) => digits(&gunzip("digits.csv.gz", csv)?),
            (DataSet::Mnist, [images, labels]) => {
                mnist(&gunzip("mnist images", images)?, &gunzip("mnist labels", labels)?)
            }
            _ => Err(Error::Invalid(format!(
                "{} needs the files {}",
                self.name(),
                self.files().join(", ")
            ))),
        }
    }
}

/// Decompresses gzip; plain (already decompressed) bytes pass through.
pub fn gunzip(what: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    // A bound on the output: the largest data set we accept, plus headers.
    let limit = (MAX_IMAGES * MAX_SIDE * MAX_SIDE * 4) as u64;
    flate2::read::GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| Error::Invalid(format!("{what}: not a valid gzip file ({e})")))?;
    Ok(out)
}

/// scikit-learn's digits.csv: 64 pixel columns (0..=16) then the label, no header.
pub fn digits(bytes: &[u8]) -> Result<Images> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::Invalid("digits.csv: not UTF-8 text".into()))?;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line_no = i + 1;
        if labels.len() >= MAX_IMAGES {
            return Err(Error::csv(line_no, "row", format!("more than {MAX_IMAGES} images")));
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != 65 {
            return Err(Error::csv(
                line_no,
                "row",
                format!("{} columns: allowed exactly 65 (64 pixels, then the label)", fields.len()),
            ));
        }
        for (j, f) in fields[..64].iter().enumerate() {
            let v: f32 =
                f.parse().ok().filter(|v: &f32| (0.0..=16.0).contains(v)).ok_or_else(|| {
                    Error::csv(
                        line_no,
                        format!("pixel {}", j + 1),
                        format!("'{f}' is not allowed: allowed 0..=16"),
                    )
                })?;
            pixels.push(v / 16.0);
        }
        let label: u8 = fields[64].parse().ok().filter(|l: &u8| *l < 10).ok_or_else(|| {
            Error::csv(line_no, "label", format!("'{}' is not allowed: allowed 0..=9", fields[64]))
        })?;
        labels.push(label);
    }
    if labels.is_empty() {
        return Err(Error::Invalid("digits.csv holds no images".into()));
    }
    Ok(Images { height: 8, width: 8, pixels, labels })
}

fn be_u32(bytes: &[u8], at: usize, what: &str) -> Result<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(|| {
        Error::Invalid(format!("{what}: the file ends inside its header ({} bytes)", bytes.len()))
    })
}

/// MNIST in IDX format: images (magic 2051, count, rows, cols, then bytes) and
/// labels (magic 2049, count, then bytes).
pub fn mnist(images: &[u8], labels: &[u8]) -> Result<Images> {
    let magic = be_u32(images, 0, "mnist images")?;
    if magic != 2051 {
        return Err(Error::field(
            "mnist images magic number",
            magic,
            "2051 (an IDX file of u8 images)",
        ));
    }
    let count = be_u32(images, 4, "mnist images")? as usize;
    let rows = be_u32(images, 8, "mnist images")? as usize;
    let cols = be_u32(images, 12, "mnist images")? as usize;
    if !(1..=MAX_IMAGES).contains(&count) {
        return Err(Error::field("mnist images count", count, format!("1..={MAX_IMAGES}")));
    }
    if !(1..=MAX_SIDE).contains(&rows) || !(1..=MAX_SIDE).contains(&cols) {
        return Err(Error::field(
            "mnist image size",
            format!("{rows}x{cols}"),
            format!("1..={MAX_SIDE} pixels a side"),
        ));
    }
    let body = &images[16..];
    if body.len() != count * rows * cols {
        return Err(Error::Invalid(format!(
            "mnist images: the header says {count} images of {rows}x{cols} ({} bytes) but the file holds {} bytes after it",
            count * rows * cols,
            body.len()
        )));
    }
    let magic = be_u32(labels, 0, "mnist labels")?;
    if magic != 2049 {
        return Err(Error::field(
            "mnist labels magic number",
            magic,
            "2049 (an IDX file of u8 labels)",
        ));
    }
    let label_count = be_u32(labels, 4, "mnist labels")? as usize;
    if label_count != count || labels.len() != 8 + count {
        return Err(Error::Invalid(format!(
            "mnist labels: {label_count} labels in the header and {} bytes of labels, but {count} images",
            labels.len().saturating_sub(8)
        )));
    }
    let labels = labels[8..].to_vec();
    if let Some(i) = labels.iter().position(|&l| l > 9) {
        return Err(Error::field(format!("mnist label {}", i + 1), labels[i], "0..=9"));
    }
    Ok(Images {
        height: rows,
        width: cols,
        pixels: body.iter().map(|&p| p as f32 / 255.0).collect(),
        labels,
    })
}
