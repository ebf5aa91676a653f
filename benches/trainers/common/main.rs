//! One timing run: `BIN SIZE EPOCHS DIGITS.csv` trains the library's network on
//! digits (nearest-neighbour upsampled to SIZE×SIZE) and prints loss, accuracy, seconds.
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size: usize = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(8);
    let epochs: usize = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let mut s = String::new();
    std::fs::File::open(args.get(3).map(String::as_str).unwrap_or("digits.csv")).unwrap().read_to_string(&mut s).unwrap();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in s.lines() {
        let v: Vec<f32> = line.split(',').map(|t| t.parse().unwrap()).collect();
        let img: Vec<f32> = v[..64].iter().map(|p| p / 16.0).collect();
        for i in 0..size {
            for j in 0..size {
                x.push(img[(i * 8 / size) * 8 + j * 8 / size]);
            }
        }
        y.push(v[64] as u32);
    }
    let ntr = 1437;
    let t = std::time::Instant::now();
    let (l, a) = trainer::train(&x[..ntr * size * size], &y[..ntr], &x[ntr * size * size..], &y[ntr..], size, size, 16, epochs, 32);
    println!("{} size {size} epochs {epochs}: loss {l:.4} acc {a:.4} secs {:.2}", trainer::NAME, t.elapsed().as_secs_f64());
}
