//! The one clock of the core: SHGO's `maxtime`, a search's and a training's
//! reported seconds, and the forward-pass timer of `hardware::measure`. No
//! result other than a measured time depends on it.
//!
//! Natively it is `std::time::Instant`. In wasm it is the page's (or worker's)
//! `performance.now()`, reached through web-sys's typed `Performance` binding
//! rather than hand-written JS glue; the global is read as `self.performance`,
//! which a window and a worker both have.

use std::time::Duration;

/// A point in time, for measuring how long something took.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Instant {
    #[cfg(not(target_arch = "wasm32"))]
    at: std::time::Instant,
    /// Milliseconds since the page (or worker) started.
    #[cfg(target_arch = "wasm32")]
    at_ms: f64,
}

#[cfg(target_arch = "wasm32")]
fn performance_now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    // Looked up once per thread (a page or a worker): the lookup decodes the
    // property's name and goes through Reflect.get and an instanceof check,
    // which cost a short SHGO run about a tenth of its time when every
    // reading repeated them.
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> =
            js_sys::Reflect::get(&js_sys::global(), &wasm_bindgen::JsValue::from_str("performance"))
                .ok()
                .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

impl Instant {
    pub fn now() -> Instant {
        #[cfg(not(target_arch = "wasm32"))]
        {
            Instant { at: std::time::Instant::now() }
        }
        #[cfg(target_arch = "wasm32")]
        {
            Instant { at_ms: performance_now_ms() }
        }
    }

    /// Time since this instant (zero if the clock went backwards).
    pub fn elapsed(&self) -> Duration {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.at.elapsed()
        }
        #[cfg(target_arch = "wasm32")]
        {
            Duration::from_secs_f64(((performance_now_ms() - self.at_ms) / 1e3).max(0.0))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn elapsed_time_grows_and_is_never_negative() {
        let t = super::Instant::now();
        let a = t.elapsed();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = t.elapsed();
        assert!(b >= a && b.as_secs_f64() >= 0.002, "{a:?} {b:?}");
    }
}
