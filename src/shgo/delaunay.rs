//! Neighbours in the Delaunay graph of scattered sample points, in any
//! dimension, without building the triangulation.
//!
//! SHGO's sampled (Sobol, custom) mode needs only one question answered: does
//! vertex `p` have a Delaunay neighbour `q` with `f(q) ≤ f(p)`? Two points are
//! Delaunay neighbours exactly when some ball with both on its boundary has no
//! sample point inside it. With `c` the ball's centre taken relative to `p`,
//! and every point `r` relative to `p` too, that is the linear feasibility
//! problem
//!
//! ```text
//!   2 c·q  = |q|²          (q on the sphere)
//!   2 c·r ≤ |r|²  for all r  (r not inside)
//! ```
//!
//! which is solved by cutting planes: a few points near the edge first, then
//! whichever points the candidate centre violates, until a centre satisfies
//! all of them (an edge) or the subset is already infeasible (not an edge).
//! Cheap certificates come first: the Gabriel test (no point inside the ball
//! whose diameter is `pq`) proves an edge with no LP at all.
//!
//! Cospherical points (common on Sobol grids) make the Delaunay triangulation
//! non-unique; the test is non-strict, so it answers for the union of all
//! Delaunay triangulations: a unique, order-independent graph. The
//! triangulation scipy gets from Qhull is one of them. See docs/shgo.md.

/// Relative slack for "on the sphere", so cospherical points count as
/// boundary points rather than inside ones.
const SLACK: f64 = 1e-9;

/// The sample points, moved and scaled isotropically into a unit-sized box
/// (the Delaunay graph is invariant under similarity transforms, and the LP
/// is better conditioned there).
pub(crate) struct Cloud {
    /// Point r's coordinates are `coords[r * dim..(r + 1) * dim]`: one flat
    /// buffer, so the scans over all points below touch contiguous memory.
    coords: Vec<f64>,
    dim: usize,
}

impl Cloud {
    pub fn new<P: AsRef<[f64]>>(points: &[P], lower: &[f64], upper: &[f64]) -> Self {
        let dim = lower.len();
        let scale = lower.iter().zip(upper).map(|(l, u)| u - l).fold(0.0_f64, f64::max);
        let scale = if scale > 0.0 && scale.is_finite() { scale } else { 1.0 };
        let coords =
            points.iter().flat_map(|x| x.as_ref().iter().zip(lower).map(|(v, l)| (v - l) / scale));
        Cloud { coords: coords.collect(), dim }
    }

    pub fn len(&self) -> usize {
        self.coords.len().checked_div(self.dim).unwrap_or(0)
    }

    fn point(&self, r: usize) -> &[f64] {
        &self.coords[r * self.dim..(r + 1) * self.dim]
    }

    #[cfg(test)]
    fn dist(&self, p: usize, r: usize) -> f64 {
        dist2(self.point(p), self.point(r))
    }

    fn rel(&self, p: usize, r: usize) -> Vec<f64> {
        self.point(r).iter().zip(self.point(p)).map(|(a, b)| a - b).collect()
    }

    /// Whether `p` and `q` are neighbours in the Delaunay graph.
    pub fn is_edge(&self, p: usize, q: usize) -> bool {
        if p == q {
            return false;
        }
        if self.dim == 1 {
            return self.is_edge_1d(p, q);
        }
        if self.is_gabriel(p, q) {
            return true;
        }
        self.is_edge_lp(p, q, &[])
    }

    fn is_edge_1d(&self, p: usize, q: usize) -> bool {
        let (a, b) = (self.coords[p], self.coords[q]);
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        if lo == hi {
            return true;
        }
        !self.coords.iter().enumerate().any(|(r, &x)| r != p && r != q && x > lo && x < hi)
    }

    /// Each point's `k` nearest other points, nearest first, from a k-d
    /// tree (a subtree whose splitting plane is farther than the k-th nearest
    /// so far cannot hold a nearer point). Points at equal distances may come
    /// in any order; every answer that uses the lists is the same whichever
    /// of them makes the cut (see [`Cloud::is_edge_near`]).
    #[cfg(test)]
    pub fn nearest(&self, k: usize) -> Vec<Near> {
        let index = self.nearest_index(k);
        (0..self.len()).map(|p| index.near(p)).collect()
    }

    /// [`Cloud::nearest`] point by point, for callers that need the lists of
    /// only some points (or only each point's nearest, [`NearestIndex::closest`]).
    pub fn nearest_index(&self, k: usize) -> NearestIndex<'_> {
        let k = k.min(self.len().saturating_sub(1));
        if self.dim == 1 {
            let (order, pos) = self.line_order();
            return NearestIndex { cloud: self, k, found: Found::Line { order, pos } };
        }
        NearestIndex { cloud: self, k, found: Found::Tree(KdTree::new(self)) }
    }

    /// The points in order along a line, and each point's place in it.
    fn line_order(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| self.coords[a * self.dim].total_cmp(&self.coords[b * self.dim]));
        let mut pos = vec![0; n];
        for (i, &r) in order.iter().enumerate() {
            pos[r] = i;
        }
        (order, pos)
    }

    /// [`Cloud::nearest`] on a line, for point `p`: a sweep outwards along
    /// the sorted order (a point farther along it than the k-th nearest so
    /// far cannot be nearer), which a tree cannot beat in one dimension.
    fn near_on_a_line(&self, order: &[usize], pos: &[usize], p: usize, k: usize) -> Near {
        let n = self.len();
        let x0 = self.coords[p * self.dim];
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
        let worst = |best: &Vec<(f64, usize)>| {
            if best.len() < k {
                f64::INFINITY
            } else {
                best[k - 1].0
            }
        };
        let visit = |r: usize, best: &mut Vec<(f64, usize)>| -> bool {
            let dx = self.coords[r * self.dim] - x0;
            if dx * dx >= worst(best) {
                return false;
            }
            let d = dist2(self.point(p), self.point(r));
            if d < worst(best) {
                let at = best.partition_point(|e| e.0 <= d);
                best.insert(at, (d, r));
                best.truncate(k);
            }
            true
        };
        let (mut left, mut right) = (pos[p], pos[p] + 1);
        let (mut go_left, mut go_right) = (k > 0, k > 0);
        while go_left || go_right {
            if go_left {
                go_left = left > 0 && visit(order[left - 1], &mut best);
                left = left.saturating_sub(1);
            }
            if go_right {
                go_right = right < n && visit(order[right], &mut best);
                right += 1;
            }
        }
        // Every point nearer than `reach` is in the list (all of them when
        // the list holds every other point).
        let reach = if best.len() == n - 1 { f64::INFINITY } else { worst(&best) };
        let ids = best.iter().map(|&(_, r)| r).collect();
        Near { points: best, ids, reach }
    }

    /// [`Cloud::is_edge`] with `near` = p's nearest points: when q is nearer
    /// than `near.reach`, every point that could block the Gabriel ball
    /// (or, on a line, lie between p and q) is nearer to p than q is, so only
    /// those are checked; otherwise, and for the LP, all points are.
    pub fn is_edge_near(&self, p: usize, q: usize, near: &Near) -> bool {
        if p == q {
            return false;
        }
        let (a, b) = (self.point(p), self.point(q));
        let d = dist2(a, b);
        if d > near.reach {
            return self.is_edge(p, q);
        }
        let blockers = near.ids.iter().copied().filter(|&r| r != q);
        if self.dim == 1 {
            let (lo, hi) = if a[0] < b[0] { (a[0], b[0]) } else { (b[0], a[0]) };
            return lo == hi || !blockers.map(|r| self.coords[r]).any(|x| x > lo && x < hi);
        }
        let r2 = 0.25 * d;
        let gabriel = blockers.map(|r| self.point(r)).all(|x| {
            let ab: f64 = x.iter().zip(a).zip(b).map(|((x, a), b)| (x - a) * (x - b)).sum();
            ab + r2 >= r2 * (1.0 - SLACK)
        });
        gabriel || self.is_edge_lp(p, q, &near.ids)
    }

    /// No point strictly inside the ball with diameter pq.
    fn is_gabriel(&self, p: usize, q: usize) -> bool {
        let (a, b) = (self.point(p), self.point(q));
        // |x − m|² ≥ r² with m the midpoint, r² = |a − b|²/4, expanded as
        // (x − a)·(x − b) ≥ 0, which needs no midpoint.
        let r2 = 0.25 * dist2(a, b);
        self.coords.chunks_exact(self.dim).enumerate().all(|(r, x)| {
            if r == p || r == q {
                return true;
            }
            let ab: f64 = x.iter().zip(a).zip(b).map(|((x, a), b)| (x - a) * (x - b)).sum();
            ab + r2 >= r2 * (1.0 - SLACK)
        })
    }

    /// The LP test; `first` are points worth trying before the others.
    fn is_edge_lp(&self, p: usize, q: usize, first: &[usize]) -> bool {
        if self.dim == 2 {
            // In the plane B is pq's unit normal.
            let (a, b) = (self.point(p), self.point(q));
            let (qx, qy) = (b[0] - a[0], b[1] - a[1]);
            let len = (qx * qx + qy * qy).sqrt();
            let axis = [-qy / len, qx / len];
            return self.is_edge_plane(p, q, &axis, &[0.5 * qx, 0.5 * qy], first);
        }
        let qr = self.rel(p, q);
        // Centres equidistant from p and q: c = q/2 + B t, B an orthonormal
        // basis of q's orthogonal complement; t has dim − 1 coordinates.
        let basis = complement_basis(&qr);
        let half: Vec<f64> = qr.iter().map(|v| 0.5 * v).collect();
        let mid: Vec<f64> =
            self.point(p).iter().zip(self.point(q)).map(|(a, b)| 0.5 * (a + b)).collect();
        // Rows of the LP, flat: `a` (dim − 1 entries) then `b` per point.
        let mut rr = vec![0.0; self.dim];
        let mut push_row = |r: usize, rows: &mut Vec<f64>| {
            // 2 c·r ≤ |r|²(1 + slack), with c = half + B t.
            for ((d, x), o) in rr.iter_mut().zip(self.point(r)).zip(self.point(p)) {
                *d = x - o;
            }
            rows.extend(basis.iter().map(|bv| 2.0 * dot(bv, &rr)));
            rows.push(norm2(&rr) * (1.0 + SLACK) - 2.0 * dot(&half, &rr));
        };
        // Start from the points nearest the edge's midpoint.
        let mut order: Vec<(f64, usize)> = (0..self.len())
            .filter(|&r| r != p && r != q)
            .map(|r| (dist2(self.point(r), &mid), r))
            .collect();
        let first = (4 * self.dim + 4).min(order.len());
        if first < order.len() {
            order.select_nth_unstable_by(first, |a, b| a.0.total_cmp(&b.0));
        }
        let mut active: Vec<usize> = order[..first].iter().map(|&(_, r)| r).collect();
        let mut rows: Vec<f64> = Vec::with_capacity(self.dim * (active.len() + 4 * self.dim));
        loop {
            // Rows of the points added since the last round.
            for &r in &active[rows.len() / self.dim..] {
                push_row(r, &mut rows);
            }
            let t = match seidel::feasible_point(&rows, self.dim - 1, CENTRE_BOUND) {
                Some(t) => t,
                None => return false,
            };
            let centre: Vec<f64> = (0..self.dim)
                .map(|i| half[i] + basis.iter().zip(&t).map(|(bv, ti)| bv[i] * ti).sum::<f64>())
                .collect();
            // Points the candidate centre puts inside its sphere, worst first.
            let origin = self.point(p);
            let mut violated: Vec<(f64, usize)> = (0..self.len())
                .filter(|&r| r != p && r != q)
                .filter_map(|r| {
                    let (mut cr, mut rr) = (0.0, 0.0);
                    for ((x, o), c) in self.point(r).iter().zip(origin).zip(&centre) {
                        let d = x - o;
                        cr += c * d;
                        rr += d * d;
                    }
                    let excess = 2.0 * cr - rr * (1.0 + 2.0 * SLACK);
                    (excess > 0.0 && !active.contains(&r)).then_some((excess, r))
                })
                .collect();
            if violated.is_empty() {
                return true;
            }
            violated.sort_by(|a, b| b.0.total_cmp(&a.0));
            active.extend(violated.iter().take(2 * self.dim + 2).map(|&(_, r)| r));
        }
    }
}

impl Cloud {
    /// The plane's LP has one unknown (the centre's offset `t` along pq's
    /// perpendicular bisector), so every point's row is applied at once: an
    /// interval of valid offsets, empty or not. Same rows, tolerances and
    /// centre bound as Seidel's 1-D case, without the cutting planes. The
    /// `first` points (p's nearest) are applied before the rest: they
    /// usually empty the interval of a non-edge at once.
    fn is_edge_plane(
        &self,
        p: usize,
        q: usize,
        axis: &[f64],
        half: &[f64],
        first: &[usize],
    ) -> bool {
        const EPS: f64 = 1e-12;
        let (mut lo, mut hi) = (-CENTRE_BOUND, CENTRE_BOUND);
        let o = self.point(p);
        // The interval only shrinks and `h + EPS·(1 + |h|)` grows with h, so
        // an interval found empty stays empty: stopping early is exact.
        let mut apply = |r: usize| -> bool {
            if r == p || r == q {
                return true;
            }
            let x = self.point(r);
            let (dx, dy) = (x[0] - o[0], x[1] - o[1]);
            let a = 2.0 * (axis[0] * dx + axis[1] * dy);
            let b = (dx * dx + dy * dy) * (1.0 + SLACK) - 2.0 * (half[0] * dx + half[1] * dy);
            if a > EPS {
                hi = smaller(hi, b / a);
            } else if a < -EPS {
                lo = larger(lo, b / a);
            } else if b < -EPS {
                return false;
            }
            lo <= hi + EPS * (1.0 + hi.abs())
        };
        first.iter().all(|&r| apply(r)) && (0..self.len()).all(apply)
    }
}

/// An implicit k-d tree over a cloud's points: the node of the index range
/// `lo..hi` is its middle entry, splitting on `axis` of that entry; ranges of
/// at most `KD_LEAF` points are scanned whole.
struct KdTree {
    idx: Vec<usize>,
    axis: Vec<usize>,
    /// The points' coordinates in `idx` order: a leaf's points lie side by
    /// side in memory.
    pts: Vec<f64>,
    dim: usize,
}

const KD_LEAF: usize = 6;

impl KdTree {
    fn new(cloud: &Cloud) -> Self {
        let n = cloud.len();
        let mut tree =
            KdTree { idx: (0..n).collect(), axis: vec![0; n], pts: vec![], dim: cloud.dim };
        tree.build(cloud, 0, n);
        tree.pts = tree.idx.iter().flat_map(|&r| cloud.point(r)).copied().collect();
        tree
    }

    fn build(&mut self, cloud: &Cloud, lo: usize, hi: usize) {
        if hi - lo <= KD_LEAF {
            return;
        }
        // Split the widest coordinate at its median.
        let dim = cloud.dim;
        let spread = |a: usize| {
            let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
            for &r in &self.idx[lo..hi] {
                let v = cloud.coords[r * dim + a];
                min = smaller(min, v);
                max = larger(max, v);
            }
            max - min
        };
        let axis = (0..dim).fold((0, f64::NEG_INFINITY), |best, a| {
            let s = spread(a);
            if s > best.1 {
                (a, s)
            } else {
                best
            }
        });
        let axis = axis.0;
        let mid = lo + (hi - lo) / 2;
        self.idx[lo..hi].select_nth_unstable_by(mid - lo, |&a, &b| {
            cloud.coords[a * dim + axis].total_cmp(&cloud.coords[b * dim + axis]).then(a.cmp(&b))
        });
        self.axis[mid] = axis;
        self.build(cloud, lo, mid);
        self.build(cloud, mid + 1, hi);
    }

    /// Adds to `best` (sorted, at most `k` long) the points of `lo..hi`
    /// nearer to point `p`, whose coordinates are `at`, than its k-th entry.
    fn nearest(
        &self,
        at: &[f64],
        p: usize,
        k: usize,
        lo: usize,
        hi: usize,
        best: &mut Vec<(f64, usize)>,
    ) {
        let dim = self.dim;
        let visit = |i: usize, best: &mut Vec<(f64, usize)>| {
            let r = self.idx[i];
            if r == p {
                return;
            }
            let d = dist2(at, &self.pts[i * dim..(i + 1) * dim]);
            // Insertion after every entry at most as far (the k-th entry,
            // if any, drops out).
            if best.len() < k {
                best.push((d, r));
            } else if d < best[k - 1].0 {
                best[k - 1] = (d, r);
            } else {
                return;
            }
            let mut i = best.len() - 1;
            while i > 0 && best[i - 1].0 > d {
                best.swap(i - 1, i);
                i -= 1;
            }
        };
        if k == 0 {
            return;
        }
        if hi - lo <= KD_LEAF {
            for i in lo..hi {
                visit(i, best);
            }
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let axis = self.axis[mid];
        let diff = at[axis] - self.pts[mid * dim + axis];
        let (near, far) =
            if diff < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        // p's own side first: the list fills with near points, so fewer far
        // ones get in only to be pushed out.
        self.nearest(at, p, k, near.0, near.1, best);
        // The splitting point and everything beyond its plane are at least
        // |diff| away (rounding is monotone, so this holds for the computed
        // distances too).
        if best.len() < k || diff * diff < best[k - 1].0 {
            visit(mid, best);
            self.nearest(at, p, k, far.0, far.1, best);
        }
    }
}

/// A point's nearest other points, nearest first, as squared distances in the
/// cloud's scaled coordinates.
pub(crate) struct Near {
    pub points: Vec<(f64, usize)>,
    /// The same points' indices.
    pub ids: Vec<usize>,
    /// Every point nearer (squared) than this is in `points`.
    pub reach: f64,
}

/// Each point's nearest other points, found when asked (see
/// [`Cloud::nearest_index`]).
pub(crate) struct NearestIndex<'a> {
    cloud: &'a Cloud,
    k: usize,
    found: Found,
}

enum Found {
    /// On a line: the points' order along it, and each one's place.
    Line {
        order: Vec<usize>,
        pos: Vec<usize>,
    },
    Tree(KdTree),
}

impl NearestIndex<'_> {
    /// One of `p`'s nearest other points (any of them, when several are at
    /// the same distance); None for a lone point. The nearest point is
    /// always a Delaunay neighbour (the ball with diameter pq holds no other
    /// point), so this settles most vertices without the whole list.
    pub fn closest(&self, p: usize) -> Option<usize> {
        match &self.found {
            Found::Line { order, pos } => {
                self.cloud.near_on_a_line(order, pos, p, 1).points.first().map(|&(_, q)| q)
            }
            Found::Tree(tree) => {
                let mut best = Vec::with_capacity(2);
                tree.nearest(self.cloud.point(p), p, 1, 0, self.cloud.len(), &mut best);
                best.first().map(|&(_, q)| q)
            }
        }
    }

    /// `p`'s `k` nearest other points, nearest first.
    pub fn near(&self, p: usize) -> Near {
        let (k, n) = (self.k, self.cloud.len());
        match &self.found {
            Found::Line { order, pos } => self.cloud.near_on_a_line(order, pos, p, k),
            Found::Tree(tree) => {
                let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
                tree.nearest(self.cloud.point(p), p, k, 0, n, &mut best);
                // Every point nearer than `reach` is in the list (all of
                // them when the list holds every other point).
                let reach = if best.len() == n - 1 || best.len() < k {
                    f64::INFINITY
                } else {
                    best[k - 1].0
                };
                let ids = best.iter().map(|&(_, r)| r).collect();
                Near { points: best, ids, reach }
            }
        }
    }
}

/// A bound on the ball's centre keeps the LP bounded: a ball of radius 10⁴
/// box widths is as good as a half-space here.
const CENTRE_BOUND: f64 = 1e4;

/// An orthonormal basis of the hyperplane orthogonal to `v` (Gram–Schmidt
/// on the coordinate axes, skipping the one most aligned with `v`).
fn complement_basis(v: &[f64]) -> Vec<Vec<f64>> {
    let d = v.len();
    let n = norm2(v).sqrt();
    let u: Vec<f64> = v.iter().map(|x| x / n).collect();
    let skip = (0..d).max_by(|&a, &b| u[a].abs().total_cmp(&u[b].abs())).unwrap_or(0);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(d.saturating_sub(1));
    for axis in (0..d).filter(|&i| i != skip) {
        let mut e = vec![0.0; d];
        e[axis] = 1.0;
        for b in std::iter::once(&u).chain(basis.iter()) {
            let proj = dot(&e, b);
            e.iter_mut().zip(b).for_each(|(x, y)| *x -= proj * y);
        }
        let len = norm2(&e).sqrt();
        e.iter_mut().for_each(|x| *x /= len);
        basis.push(e);
    }
    basis
}

/// Seidel's randomized incremental linear programming, for feasibility in a
/// few dimensions: expected O(k!·m) for m constraints in k dimensions, a few
/// microseconds here, where a general LP solver's set-up costs tens.
mod seidel {
    use super::{larger, smaller};

    const EPS: f64 = 1e-12;

    /// A point t with a·t ≤ b for every row and |t_i| ≤ bound, or None.
    /// Rows are flat, `k + 1` numbers each: `a` then `b`.
    pub fn feasible_point(rows: &[f64], k: usize, bound: f64) -> Option<Vec<f64>> {
        let w = k + 1;
        let m = rows.len() / w;
        if k == 0 {
            return rows.iter().all(|b| *b >= -EPS).then(Vec::new);
        }
        let mut all: Vec<f64> = Vec::with_capacity((m + 2 * k) * w);
        for i in 0..k {
            for sign in [1.0, -1.0] {
                all.extend((0..k).map(|l| if l == i { sign } else { 0.0 }));
                all.push(bound);
            }
        }
        // A fixed pseudo-random order keeps results reproducible; any order
        // gives the same feasibility answer.
        let mut order: Vec<usize> = (0..m).collect();
        let mut state = 0x2545F4914F6CDD1D_u64 ^ m as u64;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for i in order {
            all.extend_from_slice(&rows[i * w..(i + 1) * w]);
        }
        // A generic objective makes the optimum unique.
        let c: Vec<f64> = (0..k).map(|i| 1.0 + 0.1 * i as f64 / k as f64).collect();
        solve(&all, &c, 2 * k)
    }

    /// Minimizes c·t subject to rows (flat, `c.len() + 1` numbers each);
    /// rows[..fixed] bound the box, so the starting optimum is a box corner.
    fn solve(rows: &[f64], c: &[f64], fixed: usize) -> Option<Vec<f64>> {
        let k = c.len();
        let w = k + 1;
        let m = rows.len() / w;
        let row = |i: usize| (&rows[i * w..i * w + k], rows[i * w + k]);
        if k == 1 {
            let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
            for i in 0..m {
                let (a, b) = row(i);
                if a[0] > EPS {
                    hi = smaller(hi, b / a[0]);
                } else if a[0] < -EPS {
                    lo = larger(lo, b / a[0]);
                } else if b < -EPS {
                    return None;
                }
            }
            if lo > hi + EPS * (1.0 + hi.abs()) {
                return None;
            }
            return Some(vec![if c[0] > 0.0 { lo } else { hi }]);
        }
        // Optimum of the box alone.
        let mut t: Vec<f64> = (0..k)
            .map(|i| {
                let upper = row(2 * i).1;
                let lower = -row(2 * i + 1).1;
                if c[i] > 0.0 {
                    lower
                } else {
                    upper
                }
            })
            .collect();
        let mut sub: Vec<f64> = Vec::new();
        for i in fixed..m {
            let (a, b) = row(i);
            let lhs: f64 = a.iter().zip(&t).map(|(x, y)| x * y).sum();
            if lhs <= b + EPS * (1.0 + b.abs()) {
                continue;
            }
            // The new optimum lies on a·t = b: eliminate the coordinate with
            // the largest coefficient and solve the rows so far one
            // dimension down.
            let j = (0..k).max_by(|&x, &y| a[x].abs().total_cmp(&a[y].abs())).unwrap_or(0);
            if a[j].abs() <= EPS {
                if b < -EPS {
                    return None;
                }
                continue;
            }
            // t_j = (b − Σ_{l≠j} a_l t_l) / a_j
            let reduce = |v: &[f64], vb: f64, out: &mut Vec<f64>| {
                let f = v[j] / a[j];
                out.extend((0..k).filter(|&l| l != j).map(|l| v[l] - f * a[l]));
                out.push(vb - f * b);
            };
            // The box rows of the eliminated coordinate are no longer first;
            // the remaining coordinates' box rows stay in front.
            let is_box = |idx: usize| idx < 2 * k && idx / 2 != j;
            sub.clear();
            for idx in (0..i).filter(|&idx| is_box(idx)) {
                let (v, vb) = row(idx);
                reduce(v, vb, &mut sub);
            }
            let sub_fixed = sub.len() / k;
            for idx in (0..i).filter(|&idx| !is_box(idx)) {
                let (v, vb) = row(idx);
                reduce(v, vb, &mut sub);
            }
            let f = c[j] / a[j];
            let sub_c: Vec<f64> = (0..k).filter(|&l| l != j).map(|l| c[l] - f * a[l]).collect();
            let sub_c = if sub_c.iter().all(|x| x.abs() <= EPS) { vec![1.0; k - 1] } else { sub_c };
            let s = solve(&sub, &sub_c, sub_fixed)?;
            let mut full = Vec::with_capacity(k);
            let mut it = s.iter();
            for l in 0..k {
                full.push(if l == j { 0.0 } else { *it.next().unwrap_or(&0.0) });
            }
            full[j] = (b - (0..k).filter(|&l| l != j).map(|l| a[l] * full[l]).sum::<f64>()) / a[j];
            t = full;
        }
        Some(t)
    }
}

/// `a.min(b)` for the values here (never NaN on the left). In wasm
/// `f64::min` is a call (Rust's NaN rule is not wasm's `f64.min`), and the
/// plane's interval test spent a twentieth of a Sobol run in it.
#[inline]
fn smaller(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// `a.max(b)` likewise.
#[inline]
fn larger(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm2(a: &[f64]) -> f64 {
    dot(a, a)
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    /// Uniform numbers in [0, 1) from a fixed-seed linear congruential generator.
    fn uniform(mut state: u64) -> impl FnMut() -> f64 {
        move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn cloud(points: &[&[f64]]) -> Cloud {
        let pts: Vec<Vec<f64>> = points.iter().map(|p| p.to_vec()).collect();
        let dim = pts[0].len();
        Cloud::new(&pts, &vec![0.0; dim], &vec![1.0; dim])
    }

    #[test]
    fn square_with_centre_is_a_wheel() {
        let c = cloud(&[&[0.0, 0.0], &[1.0, 0.0], &[1.0, 1.0], &[0.0, 1.0], &[0.5, 0.5]]);
        for corner in 0..4 {
            assert!(c.is_edge(corner, 4));
        }
        assert!(c.is_edge(0, 1) && c.is_edge(1, 2) && c.is_edge(2, 3) && c.is_edge(3, 0));
        assert!(!c.is_edge(0, 2) && !c.is_edge(1, 3), "diagonals pass through the centre's ball");
    }

    #[test]
    fn cospherical_square_has_both_diagonals() {
        let c = cloud(&[&[0.0, 0.0], &[1.0, 0.0], &[1.0, 1.0], &[0.0, 1.0]]);
        assert!(c.is_edge(0, 2) && c.is_edge(1, 3));
    }

    #[test]
    fn a_far_point_behind_a_near_one_is_not_a_neighbour() {
        // Thin triangle: (0,0)-(1,0) blocked by a point just above the middle
        // and one just below.
        let c = cloud(&[&[0.0, 0.0], &[1.0, 0.0], &[0.5, 0.05], &[0.5, -0.05]]);
        assert!(!c.is_edge(0, 1));
        assert!(c.is_edge(2, 3));
    }

    #[test]
    fn matches_brute_force_empty_circle_in_2d() {
        // Random points: an edge exists iff some triangle containing it has an
        // empty circumcircle (brute force over all triples).
        let mut rnd = uniform(12345_u64);
        let pts: Vec<Vec<f64>> = (0..25).map(|_| vec![rnd(), rnd()]).collect();
        let c = Cloud::new(&pts, &[0.0, 0.0], &[1.0, 1.0]);
        let n = pts.len();
        let mut brute = vec![vec![false; n]; n];
        for a in 0..n {
            for b in a + 1..n {
                for t in b + 1..n {
                    if let Some((cx, cy, r2)) = circumcircle(&pts[a], &pts[b], &pts[t]) {
                        let empty = (0..n).all(|k| {
                            k == a
                                || k == b
                                || k == t
                                || (pts[k][0] - cx).powi(2) + (pts[k][1] - cy).powi(2) >= r2
                        });
                        if empty {
                            for (u, v) in [(a, b), (a, t), (b, t)] {
                                brute[u][v] = true;
                                brute[v][u] = true;
                            }
                        }
                    }
                }
            }
        }
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    assert_eq!(c.is_edge(a, b), brute[a][b], "edge {a}-{b}");
                }
            }
        }
    }

    #[test]
    fn matches_brute_force_empty_sphere_in_3d() {
        let mut rnd = uniform(777_u64);
        let pts: Vec<Vec<f64>> = (0..14).map(|_| vec![rnd(), rnd(), rnd()]).collect();
        let c = Cloud::new(&pts, &[0.0; 3], &[1.0; 3]);
        let n = pts.len();
        let mut brute = vec![vec![false; n]; n];
        for a in 0..n {
            for b in a + 1..n {
                for t in b + 1..n {
                    for u in t + 1..n {
                        let Some((centre, r2)) =
                            circumsphere(&[&pts[a], &pts[b], &pts[t], &pts[u]])
                        else {
                            continue;
                        };
                        let empty = (0..n)
                            .all(|k| [a, b, t, u].contains(&k) || dist2(&pts[k], &centre) >= r2);
                        if empty {
                            for (x, y) in [(a, b), (a, t), (a, u), (b, t), (b, u), (t, u)] {
                                brute[x][y] = true;
                                brute[y][x] = true;
                            }
                        }
                    }
                }
            }
        }
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    assert_eq!(c.is_edge(a, b), brute[a][b], "edge {a}-{b}");
                }
            }
        }
    }

    #[test]
    fn nearest_first_answers_equal_the_full_test() {
        // Random points in 1-3 dimensions and a lattice (cospherical squares):
        // the test restricted to each point's nearest neighbours agrees with
        // the full one on every pair, and the neighbour lists are the true
        // nearest points.
        let mut rnd = uniform(4242_u64);
        let mut clouds: Vec<(Vec<Vec<f64>>, usize)> = (1..=3)
            .map(|d| ((0..40).map(|_| (0..d).map(|_| rnd()).collect()).collect(), d))
            .collect();
        let lattice: Vec<Vec<f64>> =
            (0..36).map(|i| vec![(i % 6) as f64 / 5.0, (i / 6) as f64 / 5.0]).collect();
        clouds.push((lattice, 2));
        for (pts, d) in clouds {
            let c = Cloud::new(&pts, &vec![0.0; d], &vec![1.0; d]);
            let near = c.nearest(2 * d + 4);
            for p in 0..pts.len() {
                let mut all: Vec<f64> =
                    (0..pts.len()).filter(|&r| r != p).map(|r| dist2(&pts[p], &pts[r])).collect();
                all.sort_by(f64::total_cmp);
                let got: Vec<f64> = near[p].points.iter().map(|e| e.0).collect();
                assert_eq!(got.len(), 2 * d + 4);
                for (g, w) in got.iter().zip(&all) {
                    assert!((g - w).abs() < 1e-12, "point {p}: {got:?} vs {all:?}");
                }
                for q in 0..pts.len() {
                    assert_eq!(c.is_edge_near(p, q, &near[p]), c.is_edge(p, q), "{d}-D {p}-{q}");
                }
            }
        }
    }

    #[test]
    fn the_kd_tree_finds_the_true_nearest_points_with_ties_and_in_more_dimensions() {
        // 300 random points in 5-D and a 3-D lattice (every distance tied
        // many times): each list holds the k smallest distances in order,
        // and every point nearer than `reach` is in it.
        let mut rnd = uniform(77_u64);
        let random: Vec<Vec<f64>> = (0..300).map(|_| (0..5).map(|_| rnd()).collect()).collect();
        let lattice: Vec<Vec<f64>> = (0..125)
            .map(|i| vec![(i % 5) as f64 / 4.0, (i / 5 % 5) as f64 / 4.0, (i / 25) as f64 / 4.0])
            .collect();
        for (pts, k) in [(random, 14), (lattice, 10)] {
            let d = pts[0].len();
            let c = Cloud::new(&pts, &vec![0.0; d], &vec![1.0; d]);
            let near = c.nearest(k);
            for p in 0..pts.len() {
                let mut all: Vec<f64> =
                    (0..pts.len()).filter(|&r| r != p).map(|r| c.dist(p, r)).collect();
                all.sort_by(f64::total_cmp);
                let got: Vec<f64> = near[p].points.iter().map(|e| e.0).collect();
                assert_eq!(got, all[..k], "{d}-D point {p}");
                assert!(near[p].ids.iter().all(|&r| r != p));
                for r in (0..pts.len()).filter(|&r| r != p && c.dist(p, r) < near[p].reach) {
                    assert!(near[p].ids.contains(&r), "{d}-D point {p}: {r} missing");
                }
            }
        }
    }

    #[test]
    fn each_points_closest_is_at_the_smallest_distance_and_a_neighbour() {
        // What the engine's shortcut relies on: `closest` returns a point
        // at p's smallest distance (any one of them on a lattice, where
        // they tie), and the full test calls it a Delaunay neighbour.
        let mut rnd = uniform(31_u64);
        let mut clouds: Vec<Vec<Vec<f64>>> =
            (1..=5).map(|d| (0..60).map(|_| (0..d).map(|_| rnd()).collect()).collect()).collect();
        clouds.push(
            (0..64)
                .map(|i| {
                    vec![(i % 4) as f64 / 3.0, (i / 4 % 4) as f64 / 3.0, (i / 16) as f64 / 3.0]
                })
                .collect(),
        );
        clouds.push(vec![vec![0.5, 0.5]]);
        for pts in clouds {
            let d = pts[0].len();
            let c = Cloud::new(&pts, &vec![0.0; d], &vec![1.0; d]);
            let index = c.nearest_index(2 * d + 4);
            for p in 0..pts.len() {
                let Some(q) = index.closest(p) else {
                    assert_eq!(pts.len(), 1, "only a lone point has no closest");
                    continue;
                };
                let smallest = (0..pts.len()).filter(|&r| r != p).map(|r| c.dist(p, r));
                assert_eq!(c.dist(p, q), smallest.fold(f64::INFINITY, f64::min), "{d}-D {p}");
                assert!(c.is_edge(p, q), "{d}-D: {p}'s closest {q} is no neighbour");
            }
        }
    }

    /// Centre and squared radius of the sphere through four points.
    fn circumsphere(p: &[&Vec<f64>; 4]) -> Option<(Vec<f64>, f64)> {
        // 2 (p_i − p_0)·c = |p_i|² − |p_0|², i = 1..3, by Cramer's rule.
        let m: Vec<[f64; 3]> =
            (1..4).map(|i| [0, 1, 2].map(|k| 2.0 * (p[i][k] - p[0][k]))).collect();
        let r: Vec<f64> = (1..4).map(|i| norm2(p[i]) - norm2(p[0])).collect();
        let det = |m: &[[f64; 3]]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let d = det(&m);
        if d.abs() < 1e-12 {
            return None;
        }
        let centre: Vec<f64> = (0..3)
            .map(|k| {
                let mut mk = m.clone();
                for i in 0..3 {
                    mk[i][k] = r[i];
                }
                det(&mk) / d
            })
            .collect();
        let r2 = dist2(p[0], &centre);
        Some((centre, r2))
    }

    fn circumcircle(a: &[f64], b: &[f64], c: &[f64]) -> Option<(f64, f64, f64)> {
        let d = 2.0 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]));
        if d.abs() < 1e-14 {
            return None;
        }
        let (a2, b2, c2) = (norm2(a), norm2(b), norm2(c));
        let ux = (a2 * (b[1] - c[1]) + b2 * (c[1] - a[1]) + c2 * (a[1] - b[1])) / d;
        let uy = (a2 * (c[0] - b[0]) + b2 * (a[0] - c[0]) + c2 * (b[0] - a[0])) / d;
        Some((ux, uy, (a[0] - ux).powi(2) + (a[1] - uy).powi(2)))
    }
}
