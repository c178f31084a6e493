/* charts.js — echarts helpers: one place sets tooltips (formatter functions that escape every
 * name), dataZoom, legends and the save-as-image toolbox; tracks the charts of the page.
 * echarts itself is the library's own build (/assets/echarts.min.js), loaded by index.html as
 * a classic script before the modules run: it is window.echarts here. */
import { h } from './dom.js';
import { esc, fmt } from './format.js';

export const PALETTE = ['#3b6fd8', '#e0803a', '#35a37a', '#c2477a', '#8a63d2', '#d3b23c', '#4bb0c9', '#7a7f8c'];
export const PLATFORM_COLORS = {
  Instagram: '#c2477a',
  YouTube: '#d9413b',
  Facebook: '#3b6fd8',
  TikTok: '#222a35',
  Twitter: '#4bb0c9',
  LinkedIn: '#2c6e9b',
};
let live = [];

/* A titled panel with a chart area; returns {panel, box, controls} */
export function panel(title, opts) {
  opts = opts || {};
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': title + ' chart' });
  const controls = h('div', { class: 'panel-controls' });
  const section = h(
    'section',
    { class: 'panel' + (opts.wide ? ' wide' : ''), 'aria-label': title },
    h('div', { class: 'panel-head' }, h('h2', null, title), controls),
    box,
    opts.note ? h('p', { class: 'panel-note muted' }, opts.note) : null,
  );
  return { panel: section, box, controls };
}

/* Every chart follows its box's size (a card that changes width as the grid fills, a window
 * resized, the phone menu): echarts reads the size only when told. */
const sizes =
  typeof ResizeObserver === 'function'
    ? new ResizeObserver((entries) => {
        const echarts = window.echarts;
        for (const en of entries) {
          const c = echarts && echarts.getInstanceByDom(en.target);
          if (
            c &&
            !c.isDisposed() &&
            (c.getWidth() !== en.target.clientWidth || c.getHeight() !== en.target.clientHeight)
          )
            c.resize();
        }
      })
    : null;

/* Creates (or updates) a chart in box; resolves when it is drawn. The first drawing waits
 * until the code that builds the page has placed every panel (a microtask), so that the
 * chart starts at the size of its card, not at the size the card had while it was alone. */
export async function draw(box, option) {
  const echarts = window.echarts;
  if (!echarts) throw new Error('the chart library did not load');
  let c = echarts.getInstanceByDom(box);
  if (!c) {
    await Promise.resolve();
    if (!box.isConnected) return;
    c = echarts.getInstanceByDom(box) || echarts.init(box, null, { renderer: 'canvas' });
    if (!live.includes(c)) live.push(c);
    if (sizes) sizes.observe(box);
  }
  const base = {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    toolbox: { right: 8, top: 0, feature: { saveAsImage: { title: 'Save as image', pixelRatio: 2 } } },
    grid: { left: 12, right: 16, top: 40, bottom: 12, containLabel: true },
  };
  const done = new Promise((resolve) =>
    c.on('finished', function f() {
      c.off('finished', f);
      resolve();
    }),
  );
  c.setOption(Object.assign(base, option), true);
  return Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
}

export function disposeAll() {
  for (const c of live) {
    if (sizes) sizes.unobserve(c.getDom());
    if (!c.isDisposed()) c.dispose();
  }
  live = [];
}

/* Tooltip for axis charts: name then one line per series, each value formatted. */
export function axisTooltip(fmts) {
  return {
    trigger: 'axis',
    confine: true,
    axisPointer: { type: 'shadow' },
    formatter(ps) {
      if (!ps.length) return '';
      let s = '<b>' + esc(ps[0].axisValueLabel !== undefined ? ps[0].axisValueLabel : ps[0].name) + '</b>';
      for (const p of ps) {
        const f = fmts[p.seriesName] || fmt.int;
        const v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        s += '<br>' + p.marker + esc(p.seriesName) + ': <b>' + esc(f(v)) + '</b>';
      }
      return s;
    },
  };
}
/* Tooltip for one item: fn(params) gives the lines, the first in bold; all escaped. */
export function itemTooltip(fn) {
  return {
    trigger: 'item',
    confine: true,
    formatter: (p) =>
      fn(p)
        .map((line, i) => (i === 0 ? '<b>' + esc(line) + '</b>' : esc(line)))
        .join('<br>'),
  };
}
export function moneyAxis() {
  return { type: 'value', axisLabel: { hideOverlap: true, formatter: (v) => fmt.moneyShort(v) } };
}
