// ECharts, embedded from web/node_modules by the build, with the UI's
// colours.  Tooltips render inside the canvas (renderMode richText),
// so no HTML is built from data and the CSP's style rules hold.
import * as echarts from '/ui/vendor/echarts.mjs';

export const PALETTE = ['#3aa0ff', '#3ccf8e', '#f5a524', '#ef4b5f', '#a77bff',
  '#2dd4bf', '#f472b6', '#facc15', '#60a5fa', '#fb923c'];

const TEXT = '#c9d3e3';
const MUTED = '#8e9ab0';
const LINE = '#26324a';
// The background of the cards that hold the charts.
const CARD = '#121a2b';

function base() {
  return {
    color: PALETTE,
    textStyle: { color: TEXT, fontFamily: 'Inter, system-ui, sans-serif' },
    tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT } },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    animationDuration: 300,
  };
}

const charts = new Set();
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

export function chart(el, option, onClick) {
  const c = echarts.init(el, null, { renderer: 'canvas' });
  el.dataset.chart = 'ready';
  // 'finished' comes once the animations end, when a click lands on the
  // shapes where they are drawn.  A chart without animation finishes
  // inside setOption, so the listener comes first.
  c.on('finished', () => { el.dataset.chart = 'drawn'; });
  c.setOption({ ...base(), ...option });
  if (onClick) c.on('click', onClick);
  charts.add(c);
  return c;
}

export function disposeAll() {
  charts.forEach((c) => c.dispose());
  charts.clear();
}

const axisLabel = { color: MUTED };
const splitLine = { lineStyle: { color: LINE } };

const LABEL_WIDTH = 140;

export function barOption(labels, values, opts) {
  const o = opts || {};
  const horizontal = o.horizontal;
  const cat = { type: 'category', data: labels, axisLabel: { ...axisLabel, width: LABEL_WIDTH, overflow: 'truncate' }, axisLine: { lineStyle: { color: LINE } } };
  const val = { type: 'value', axisLabel, splitLine };
  return {
    // With ECharts 6.1.0, containLabel left too little room for long
    // truncated labels and cut their first letters off, so horizontal
    // bars keep a fixed margin.
    ...(horizontal ? { grid: { left: LABEL_WIDTH + 12, right: 24, top: 16, bottom: 24, containLabel: false } } : {}),
    tooltip: { ...base().tooltip, trigger: 'item' },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: [{
      type: 'bar', data: values, barMaxWidth: 28,
      itemStyle: { borderRadius: horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0], color: o.color },
    }],
  };
}

export function pieOption(items) {
  return {
    tooltip: { ...base().tooltip, trigger: 'item' },
    legend: { bottom: 0, textStyle: { color: TEXT }, icon: 'circle', itemWidth: 8 },
    series: [{
      type: 'pie', radius: ['48%', '72%'], center: ['50%', '44%'], data: items,
      label: { show: false, position: 'center' }, emphasis: { label: { show: true, color: TEXT, formatter: '{b}\n{c}', fontWeight: 600 } }, itemStyle: { borderColor: CARD, borderWidth: 2 },
    }],
  };
}

export { echarts, CARD, MUTED, LINE, TEXT };
