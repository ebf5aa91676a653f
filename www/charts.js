// Charts the core drew (SVG text from plotters) put into the page, with
// pointer and keyboard read-outs, and downloads of them. The SVG is parsed as
// SVG (an XML parser: no HTML, no scripts run) and only then adopted.

const parser = new DOMParser();

function parseSvg(text) {
  const doc = parser.parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg' || doc.querySelector('parsererror')) return null;
  // Defence in depth: the core never writes these, so drop them if they ever appear.
  for (const bad of svg.querySelectorAll('script, foreignObject')) bad.remove();
  return document.importNode(svg, true);
}

const tooltip = () => document.getElementById('tooltip');

function show(container, point, clientX, clientY) {
  const tip = tooltip();
  if (!point) {
    tip.hidden = true;
    return;
  }
  tip.textContent = point.label;
  tip.hidden = false;
  const x = Math.min(clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  tip.style.left = `${Math.max(4, x) + window.scrollX}px`;
  tip.style.top = `${clientY + 14 + window.scrollY}px`;
}

/** Puts a chart ({svg, width, height, points, alt}) into `container`; null empties it. */
export function chartInto(container, chart) {
  container.replaceChildren();
  container.onpointermove = null;
  container.onpointerleave = null;
  container.onkeydown = null;
  if (!chart?.svg) return;
  const svg = parseSvg(chart.svg);
  if (!svg) return;
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('role', 'img');
  // The core says what each chart shows (Chart.alt); a screen reader reads it.
  svg.setAttribute('aria-label', chart.alt || container.getAttribute('aria-label') || 'chart');
  container.append(svg);
  const points = chart.points ?? [];
  if (!points.length) return;
  container.tabIndex = 0;
  container.setAttribute('aria-description', 'Point at a mark, or use the arrow keys, to read its values.');
  const [, , w, h] = (svg.getAttribute('viewBox') || `0 0 ${chart.width} ${chart.height}`).split(/\s+/).map(Number);
  // The drawing as the SVG box shows it: scaled to fit and centred (preserveAspectRatio's
  // default, xMidYMid meet), so a box wider or taller than the chart has margins.
  const drawn = () => {
    const r = svg.getBoundingClientRect();
    const k = Math.min(r.width / w, r.height / h);
    return { k, left: r.left + (r.width - w * k) / 2, top: r.top + (r.height - h * k) / 2 };
  };
  container.onpointermove = (e) => {
    const d = drawn();
    const sx = (e.clientX - d.left) / d.k;
    const sy = (e.clientY - d.top) / d.k;
    let best = null;
    let bestD = 12 * 12;
    for (const p of points) {
      const d = (p.x - sx) ** 2 + (p.y - sy) ** 2;
      if (d <= bestD) { best = p; bestD = d; }
    }
    show(container, best, e.clientX, e.clientY);
  };
  container.onpointerleave = () => show(container, null);
  let index = -1;
  container.onkeydown = (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') {
      if (e.key === 'Escape') show(container, null);
      return;
    }
    e.preventDefault();
    index = (index + (e.key === 'ArrowRight' ? 1 : points.length - 1)) % points.length;
    const p = points[index];
    const d = drawn();
    show(container, p, d.left + p.x * d.k, d.top + p.y * d.k);
  };
}

export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadSvg(name, svg) {
  download(name, svg, 'image/svg+xml');
}

/** Rasterizes the SVG at twice its size and downloads it as PNG. */
export function downloadPng(name, svgText, failed = () => {}) {
  const svg = parseSvg(svgText);
  const [, , w, h] = (svg?.getAttribute('viewBox') || '0 0 640 420').split(/\s+/).map(Number);
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = 2 * w;
    canvas.height = 2 * h;
    const ctx = canvas.getContext('2d');
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, w, h);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => {
      if (!blob) { failed('the canvas gave no image'); return; }
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
    }, 'image/png');
  };
  img.onerror = () => {
    URL.revokeObjectURL(url);
    failed('the browser could not load the SVG as an image');
  };
  img.src = url;
}
