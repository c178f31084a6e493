/* charts.js — echarts helpers: one place sets tooltips (formatter functions that escape every
 * name), dataZoom, legends and the save-as-image toolbox; tracks the charts of the page.
 * echarts itself is the library's own build (/assets/echarts.min.js, window.echarts once it
 * runs): index.html preloads it and this module runs it (ready()), so that the pages fetch
 * and draw their figures while it downloads, and draw() waits for it. */
import { h } from './dom.js';
import { table } from './table.js';
import { esc, fmt, moneyAxisFormat } from './format.js';

export const PALETTE = ['#3b6fd8', '#e0803a', '#35a37a', '#c2477a', '#8a63d2', '#d3b23c', '#4bb0c9', '#7a7f8c'];
/* Each platform has its own colour and its own mark, so that a chart never tells them apart
 * by colour alone: colours from the Okabe–Ito set (told apart with every common colour-vision
 * deficiency), marks that differ in shape. mark: the legend's swatch (app.css .swatch.*). */
export const PLATFORM_STYLE = {
  Instagram: { color: '#CC79A7', symbol: 'circle', mark: 'circle' },
  YouTube: { color: '#D55E00', symbol: 'triangle', mark: 'triangle' },
  Facebook: { color: '#0072B2', symbol: 'rect', mark: 'square' },
  TikTok: { color: '#000000', symbol: 'diamond', mark: 'diamond' },
  Twitter: { color: '#56B4E9', symbol: 'path://M3,0h4v3h3v4h-3v3h-4v-3h-3v-4h3z', mark: 'plus' },
  LinkedIn: { color: '#009E73', symbol: 'path://M0,0L10,0L5,10Z', mark: 'triangle-down' },
  Threads: { color: '#E69F00', symbol: 'pin', mark: 'pin' },
};
const OTHER_STYLES = [
  { color: '#7a7f8c', symbol: 'emptyCircle', mark: 'ring' },
  { color: '#8a63d2', symbol: 'emptyRect', mark: 'square-ring' },
];
/* The style of a platform (another one: a grey ring, a purple hollow square, in turn). */
export function platformStyle(name, i) {
  return PLATFORM_STYLE[name] || OTHER_STYLES[(i || 0) % OTHER_STYLES.length];
}
let live = [];

/* The chart library, loaded once: resolves window.echarts. The address is the page's preload
 * link's (its versioned, cached-for-good address). Running it takes the main thread for a
 * while (1.1 MB of script), so it runs when a chart is first drawn, or once the first page
 * is under way (main.js), never before the page's API calls are out. */
let library = null;
export function ready() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!library)
    library = new Promise((resolve, reject) => {
      const pre = document.querySelector('link[rel=preload][href*="/assets/echarts.min.js"]');
      const s = document.createElement('script');
      s.src = pre ? pre.href : '/assets/echarts.min.js';
      s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('the chart library did not load')));
      s.onerror = () => {
        library = null;
        reject(new Error('the chart library did not load'));
      };
      document.head.appendChild(s);
    });
  return library;
}

/* The parts of each panel, by its chart box. */
const parts = new WeakMap();
let panelIds = 0;

/* A titled panel with a chart area, a legend of buttons (keyboard-reachable: each shows or
 * hides its series) and "View as table" (the chart's figures as a table; draw's view.table).
 * Returns {panel, box, controls, legend, note}; note is the panel's note line (text may be set
 * later). */
export function panel(title, opts) {
  opts = opts || {};
  const id = 'chart-' + ++panelIds;
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': title + ' chart' });
  const controls = h('div', { class: 'panel-controls' });
  const legend = h('div', { class: 'chart-legend', role: 'group', 'aria-label': 'Legend of ' + title });
  const tableBox = h('div', { class: 'chart-table', id: id + '-table', hidden: true });
  const toggle = h(
    'button',
    { type: 'button', class: 'view-table', 'aria-expanded': 'false', 'aria-controls': id + '-table', hidden: true },
    'View as table',
  );
  toggle.addEventListener('click', () => {
    const show = tableBox.hidden;
    if (show) fillTable(parts.get(box));
    tableBox.hidden = !show;
    box.hidden = show;
    legend.hidden = show || !legend.childElementCount;
    toggle.setAttribute('aria-expanded', String(show));
    toggle.textContent = show ? 'View as chart' : 'View as table';
  });
  controls.appendChild(toggle);
  const note = h('p', { class: 'panel-note muted', hidden: !opts.note }, opts.note || '');
  const section = h(
    'section',
    { class: 'panel' + (opts.wide ? ' wide' : ''), 'aria-labelledby': id + '-h', dataset: { chart: title } },
    h('div', { class: 'panel-head' }, h('h2', { id: id + '-h' }, title), controls),
    legend,
    box,
    tableBox,
    note,
  );
  parts.set(box, { title, legend, tableBox, toggle });
  return { panel: section, box, controls, legend, note };
}

/* The colour and mark of series i (or of pie slice i) of an option, for the legend. */
function swatchOf(option, s, i, datum) {
  const pick = (x) => (x && typeof x.color === 'string' ? x.color : null);
  const color =
    pick(datum && datum.itemStyle) ||
    pick(s.itemStyle) ||
    pick(s.lineStyle) ||
    (option.color || PALETTE)[i % (option.color || PALETTE).length];
  const mark = datum ? 'bar' : s.legendMark || (s.type === 'line' ? 'line' : s.type === 'scatter' ? 'circle' : 'bar');
  return { color, mark };
}

/* The HTML legend of a drawn chart: one button per series (per slice for a pie), pressed
 * while shown. echarts keeps its own legend model (hidden) so that the toggles work. */
function drawLegend(c, option, legend) {
  legend.textContent = '';
  const series = option.series || [];
  const pie = series.length === 1 && series[0].type === 'pie';
  const items = pie
    ? (series[0].data || []).map((d, i) => [d.name, swatchOf(option, series[0], i, d), d.legend || null])
    : series
        .map((s, i) => [s.name, swatchOf(option, s, i, null), s.legendText || null, s.type])
        .filter(([name, , , type]) => name && type !== 'heatmap');
  if (option.visualMap) {
    /* a colour scale (heat map): its name, the lowest and highest values, the colours */
    const vm = option.visualMap;
    const f = vm.formatter || String;
    const colors = (vm.inRange && vm.inRange.color) || ['#fbe3d6', '#35a37a'];
    legend.append(
      h(
        'span',
        { class: 'scale', role: 'img', 'aria-label': (vm.text || 'Scale') + ' from ' + f(vm.min) + ' to ' + f(vm.max) },
        h('span', { class: 'scale-name' }, vm.text || ''),
        h('span', { class: 'scale-min' }, f(vm.min)),
        h('span', { class: 'scale-bar', style: 'background: linear-gradient(to right, ' + colors.join(', ') + ')' }),
        h('span', { class: 'scale-max' }, f(vm.max)),
      ),
    );
    if (vm.note) legend.append(h('span', { class: 'scale-note' }, vm.note));
  }
  const selected = (c.getOption().legend || [{}])[0].selected || {};
  for (const [name, sw, extra] of items) {
    const b = h(
      'button',
      { type: 'button', class: 'legend-item', 'aria-pressed': String(selected[name] !== false), dataset: { name } },
      h('span', { class: 'swatch ' + sw.mark, style: '--swatch:' + sw.color, 'aria-hidden': 'true' }),
      name,
      extra ? h('span', { class: 'legend-extra' }, extra) : null,
    );
    b.addEventListener('click', () => {
      c.dispatchAction({ type: 'legendToggleSelect', name });
      b.setAttribute('aria-pressed', String(b.getAttribute('aria-pressed') !== 'true'));
    });
    legend.appendChild(b);
  }
  legend.hidden = !legend.childElementCount || !parts.get(c.getDom()).tableBox.hidden;
}

/* The chart's figures as a table (view.table: {cols, rows, opts} for table.js), built when it
 * is first shown (a page draws many charts and few tables are asked for). */
function drawTable(p, view) {
  p.table = (view && view.table) || null;
  p.toggle.hidden = !p.table;
  p.tableBox.textContent = '';
  if (!p.tableBox.hidden) fillTable(p);
}
function fillTable(p) {
  const t = p.table;
  if (!t || p.tableBox.firstChild) return;
  p.tableBox.appendChild(
    table(
      t.cols,
      t.rows,
      Object.assign({ cls: 'chart-data', caption: p.title + ' (the figures of the chart)' }, t.opts),
    ),
  );
}

/* view.table of a chart over categories: one row per category, one column per series; the
 * same values as the series, formatted as in the tooltips. series: [{name, data, fmt}] */
export function categoryTable(label, categories, series, opts) {
  opts = opts || {};
  return {
    cols: [{ key: 'category', label, fmt: opts.catFmt ? (r) => opts.catFmt(r.category) : null }].concat(
      series.map((s, j) => ({ key: 's' + j, label: s.name, num: true, fmt: (r) => (s.fmt || fmt.int)(r['s' + j]) })),
    ),
    rows: categories.map((cat, i) =>
      Object.assign({ category: cat }, ...series.map((s, j) => ({ ['s' + j]: s.data[i] }))),
    ),
    opts: { limit: opts.limit || 0 },
  };
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
export async function draw(box, option, view) {
  const echarts = await ready();
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
  const all = Object.assign(base, option);
  /* the legend is the panel's buttons; echarts keeps the (hidden) model that they toggle */
  all.legend = Object.assign({}, option.legend || {}, { show: false });
  /* a colour scale is drawn in the legend too (its labels never collide with the axis) */
  if (option.visualMap) {
    all.visualMap = Object.assign({}, option.visualMap, { show: false });
    delete all.visualMap.text;
    delete all.visualMap.note;
  }
  c.setOption(all, true);
  const p = parts.get(box);
  if (p) {
    drawLegend(c, option, p.legend);
    drawTable(p, view);
  }
  return Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
}

export function disposeAll() {
  for (const c of live) {
    if (sizes) sizes.unobserve(c.getDom());
    if (!c.isDisposed()) c.dispose();
  }
  live = [];
}

/* Tooltip for axis charts: name (written by head, e.g. fmt.date) then one line per series,
 * each value formatted. */
export function axisTooltip(fmts, head) {
  return {
    trigger: 'axis',
    confine: true,
    axisPointer: { type: 'shadow' },
    formatter(ps) {
      if (!ps.length) return '';
      const name = head ? head(ps[0].name) : ps[0].axisValueLabel !== undefined ? ps[0].axisValueLabel : ps[0].name;
      let s = '<b>' + esc(name) + '</b>';
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
/* Labels of a category axis that all show: turned when the box is narrow (a phone). */
export function categoryLabels(box, extra) {
  return Object.assign({ interval: 0, hideOverlap: false, rotate: box.clientWidth < 480 ? 35 : 0 }, extra || {});
}
/* A money value axis over values (every series drawn on it): one unit for all its labels. */
export function moneyAxis(values) {
  return { type: 'value', axisLabel: { hideOverlap: true, formatter: moneyAxisFormat(values || []) } };
}
/* A category axis of ISO days, written in the app's date style. */
export function dateAxis(days, extra) {
  return Object.assign(
    { type: 'category', data: days, axisLabel: { hideOverlap: true, formatter: (v) => fmt.date(v) } },
    extra || {},
  );
}
