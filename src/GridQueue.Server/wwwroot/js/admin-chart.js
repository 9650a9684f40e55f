// The throughput chart: one pair of bars per minute (completed, failed) drawn as inline SVG, with a text summary
// for screen readers. No library: a few rectangles, sized by attributes (the page's CSP allows no inline styles).

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 90;

function svg(tag, attrs) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/** Replaces the contents of container with the chart of throughput (the summary's per-minute items). */
export function renderThroughput(container, throughput) {
  const completed = throughput.reduce((sum, b) => sum + b.completed, 0);
  const failed = throughput.reduce((sum, b) => sum + b.failed, 0);
  const rate = completed + failed === 0 ? 0 : failed / (completed + failed);
  const peak = Math.max(1, ...throughput.map(b => b.completed + b.failed));
  const slot = WIDTH / Math.max(1, throughput.length);
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'admin-chart', role: 'img', 'aria-labelledby': 'admin-chart-text' });
  throughput.forEach((bucket, i) => {
    const okHeight = (bucket.completed / peak) * (HEIGHT - 4);
    const failHeight = (bucket.failed / peak) * (HEIGHT - 4);
    const x = i * slot + 1;
    const bar = Math.max(1, slot - 2);
    if (okHeight > 0) chart.append(svg('rect', { x, y: HEIGHT - okHeight, width: bar, height: okHeight, class: 'admin-bar-ok' }));
    if (failHeight > 0) chart.append(svg('rect', { x, y: HEIGHT - okHeight - failHeight, width: bar, height: failHeight, class: 'admin-bar-failed' }));
  });
  chart.append(svg('line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'admin-axis' }));
  const text = document.createElement('p');
  text.id = 'admin-chart-text';
  text.className = 'admin-chart-text';
  text.textContent = `${completed} completed, ${failed} failed (failure rate ${(rate * 100).toFixed(1)} %) in the last ${throughput.length} minutes.`;
  container.replaceChildren(chart, text);
}
