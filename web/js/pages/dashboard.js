// The landing page: one card per widget endpoint (GET /dashboard/NAME),
// each counted on the server over what the user may read.  Clicking a
// bar, a slice or a cell opens the matching filtered list.
import { widget } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, luminance, table, threatBadge, THREAT, ANALYSIS, THREAT_COLOUR, ANALYSIS_COLOUR, tagChip } from '../dom.js';
import { chart, barOption, pieOption, CARD, MUTED, LINE, TEXT } from '../charts.js';
import { go } from '../app.js';

const MATRIX_DEPTH = 12;
const TACTICS = ['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence',
  'privilege-escalation', 'defense-evasion', 'credential-access', 'discovery', 'lateral-movement',
  'collection', 'command-and-control', 'exfiltration', 'impact'];

// The first and last dates of a timeline period ("2021", "2021-06" or
// "2021-06-07"); dates compare as text, so "-31" closes any month.
export function periodRange(p) {
  if (p.length === 4) return [`${p}-01-01`, `${p}-12-31`];
  if (p.length === 7) return [`${p}-01`, `${p}-31`];
  return [p, p];
}

function rangeControls(params) {
  const from = h('input', { type: 'date', id: 'range-from', value: params.get('from') || '' });
  const to = h('input', { type: 'date', id: 'range-to', value: params.get('to') || '' });
  const bucket = h('select', { id: 'range-bucket' },
    ['year', 'month', 'day'].map((b) => h('option', { value: b, selected: (params.get('bucket') || 'month') === b }, b)));
  const apply = () => go('/', new URLSearchParams({ from: from.value, to: to.value, bucket: bucket.value }));
  const quick = (label, days) => h('button', {
    type: 'button', class: 'chip-button',
    onclick: () => {
      if (!days) { from.value = ''; to.value = ''; } else {
        const d = new Date(Date.now() - days * 864e5);
        from.value = d.toISOString().slice(0, 10); to.value = '';
      }
      apply();
    },
  }, label);
  [from, to, bucket].forEach((el) => el.addEventListener('change', apply));
  return h('div', { class: 'range', role: 'group', 'aria-label': 'Date range' },
    h('label', { for: 'range-from' }, 'From'), from, h('label', { for: 'range-to' }, 'to'), to,
    h('label', { for: 'range-bucket' }, 'per'), bucket,
    quick('30 days', 30), quick('1 year', 365), quick('5 years', 1826), quick('All', 0));
}

function widgetCard(name, title, extra) {
  const body = h('div', { class: 'widget-body' }, h('div', { class: 'loading' }, 'Loading…'));
  const el = h('section', { class: `card widget ${extra || ''}`, dataset: { widget: name }, 'aria-busy': 'true' },
    h('h2', {}, title), body);
  return { el, body };
}

function chartBox(body, cls) {
  clear(body);
  const title = body.parentNode.querySelector('h2').textContent;
  const box = h('div', { class: `chart ${cls || ''}`, role: 'img', 'aria-label': `${title} chart` });
  body.append(box);
  return box;
}

function done(card, rows) {
  card.el.setAttribute('aria-busy', 'false');
  card.el.dataset.rows = String(rows);
}

function failed(card, e) {
  clear(card.body).append(h('div', { class: 'alert error' }, e.message));
  card.el.setAttribute('aria-busy', 'false');
}

function empty(card) {
  clear(card.body).append(h('div', { class: 'empty' }, 'Nothing in this range.'));
  done(card, 0);
}

// A bar in its tag's colour.  White becomes grey, and a colour too dark
// to see on the card (a contrast below 2:1) gets a light outline.
function tagBarStyle(colour) {
  if (!/^#[0-9a-fA-F]{6}$/.test(colour || '') || /^#f{6}$/i.test(colour)) return { color: '#8a94a6' };
  const contrast = (luminance(colour) + 0.05) / (luminance(CARD) + 0.05);
  return contrast < 2 ? { color: colour, borderColor: MUTED, borderWidth: 1 } : { color: colour };
}

// The list that each chart item opens, as [route, query]: for a click on
// the chart and for the link in its table of figures.
const TARGETS = {
  timeline: (r) => {
    const [from, to] = periodRange(r.period);
    return ['/events', { from, to }];
  },
  attribute_types: (r) => ['/search', { type: r.name }],
  attribute_categories: (r) => ['/search', { category: r.name }],
  threat_levels: (r) => ['/events', { threat: r.id }],
  analysis: (r) => ['/events', { analysis: r.id }],
  top_tags: (r) => ['/events', { tag: r.name }],
  top_taxonomies: (r) => ['/events', { tag: `${r.name}:` }],
  top_orgs: (r) => ['/events', { org: r.name }],
  attack_patterns: (r) => ['/events', { tag: r.tag }],
};

function openTarget(name, row) {
  const [path, query] = TARGETS[name](row);
  go(path, new URLSearchParams(query));
}

function targetHref(name, row) {
  const [path, query] = TARGETS[name](row);
  return `#${path}?${new URLSearchParams(query)}`;
}

// The chart's figures as a table under a disclosure, the first column
// linking to the list of its row, so that a keyboard or a screen reader
// reaches what a click on the chart opens.
function figures(card, name, rows, columns) {
  const [first, ...rest] = columns;
  const head = { label: first.label, cell: (r) => link(targetHref(name, r), first.text(r)) };
  card.body.append(h('details', { class: 'figures' }, h('summary', {}, 'Figures'), table([head, ...rest], rows)));
}

const count = (label) => ({ label, class: 'num', cell: (r) => fmtNumber(r.count) });

const renderers = {
  totals(card, rows) {
    const labels = { events: ['Events', '#/events'], attributes: ['Attributes', '#/search'], objects: ['Objects', null],
      organisations: ['Organisations', null], correlations: ['Correlated values', null], sightings: ['Sightings', null] };
    clear(card.body).append(h('div', { class: 'totals' }, rows.map((r) => {
      const [label, href] = labels[r.name] || [r.name, null];
      const tile = h(href ? 'a' : 'div', { class: 'total', href, dataset: { total: r.name } },
        h('span', { class: 'total-value' }, fmtNumber(r.count)), h('span', { class: 'total-label' }, label));
      return tile;
    })));
  },
  timeline(card, rows, params) {
    const box = chartBox(card.body, 'tall');
    chart(box, {
      tooltip: { renderMode: 'richText', trigger: 'axis', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT } },
      legend: { top: 0, left: 'center', textStyle: { color: TEXT } },
      // The axis names sit under the legend, which a phone's width
      // would otherwise put over the right one.
      grid: { left: 8, right: 8, top: 56, bottom: 40, containLabel: true },
      dataZoom: [{ type: 'slider', height: 18, bottom: 6, borderColor: LINE, textStyle: { color: MUTED } }],
      xAxis: { type: 'category', data: rows.map((r) => r.period), axisLabel: { color: MUTED } },
      yAxis: [{ type: 'value', name: 'events', axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
        { type: 'value', name: 'attributes', axisLabel: { color: MUTED }, splitLine: { show: false } }],
      series: [{ name: 'Events', type: 'bar', data: rows.map((r) => r.events), itemStyle: { borderRadius: [3, 3, 0, 0] } },
        // The line and its area are drawn over the bars, so they are
        // silent and a click reaches the bar below.
        { name: 'Attributes', type: 'line', yAxisIndex: 1, smooth: true, showSymbol: false, silent: true,
          data: rows.map((r) => r.attributes), areaStyle: { opacity: 0.12 } }],
    }, (p) => openTarget('timeline', rows[p.dataIndex]));
    box.setAttribute('aria-label', `Events and attributes per ${params.get('bucket') || 'month'}`);
    figures(card, 'timeline', rows, [{ label: 'Period', text: (r) => r.period },
      { label: 'Events', class: 'num', cell: (r) => fmtNumber(r.events) },
      { label: 'Attributes', class: 'num', cell: (r) => fmtNumber(r.attributes) }]);
  },
  attribute_types(card, rows) {
    const box = chartBox(card.body, 'tall');
    chart(box, barOption(rows.map((r) => r.name), rows.map((r) => r.count), { horizontal: true }),
      (p) => openTarget('attribute_types', rows[p.dataIndex]));
    figures(card, 'attribute_types', rows, [{ label: 'Type', text: (r) => r.name }, count('Attributes')]);
  },
  attribute_categories(card, rows) {
    const box = chartBox(card.body, 'tall');
    chart(box, barOption(rows.map((r) => r.name), rows.map((r) => r.count), { horizontal: true, color: '#3ccf8e' }),
      (p) => openTarget('attribute_categories', rows[p.dataIndex]));
    figures(card, 'attribute_categories', rows, [{ label: 'Category', text: (r) => r.name }, count('Attributes')]);
  },
  threat_levels(card, rows) {
    const box = chartBox(card.body);
    const name = (r) => THREAT[r.id] || `level ${r.id}`;
    chart(box, pieOption(rows.map((r) => ({ name: name(r), value: r.count, itemStyle: { color: THREAT_COLOUR[r.id] } }))),
      (p) => openTarget('threat_levels', rows[p.dataIndex]));
    figures(card, 'threat_levels', rows, [{ label: 'Threat level', text: name }, count('Events')]);
  },
  analysis(card, rows) {
    const box = chartBox(card.body);
    const name = (r) => ANALYSIS[r.id] || `state ${r.id}`;
    chart(box, pieOption(rows.map((r) => ({ name: name(r), value: r.count, itemStyle: { color: ANALYSIS_COLOUR[r.id] } }))),
      (p) => openTarget('analysis', rows[p.dataIndex]));
    figures(card, 'analysis', rows, [{ label: 'Analysis', text: name }, count('Events')]);
  },
  top_tags(card, rows) {
    const box = chartBox(card.body, 'tall');
    const opt = barOption(rows.map((r) => r.name), rows.map((r) => ({ value: r.count, itemStyle: tagBarStyle(r.colour) })),
      { horizontal: true });
    chart(box, opt, (p) => openTarget('top_tags', rows[p.dataIndex]));
    figures(card, 'top_tags', rows, [{ label: 'Tag', text: (r) => r.name }, count('Events')]);
  },
  top_taxonomies(card, rows) {
    const box = chartBox(card.body);
    chart(box, barOption(rows.map((r) => r.name), rows.map((r) => r.count), { color: '#a77bff' }),
      (p) => openTarget('top_taxonomies', rows[p.dataIndex]));
    figures(card, 'top_taxonomies', rows, [{ label: 'Taxonomy', text: (r) => r.name }, count('Events')]);
  },
  top_orgs(card, rows) {
    const box = chartBox(card.body);
    chart(box, barOption(rows.map((r) => r.name), rows.map((r) => r.count), { horizontal: true, color: '#2dd4bf' }),
      (p) => openTarget('top_orgs', rows[p.dataIndex]));
    figures(card, 'top_orgs', rows, [{ label: 'Organisation', text: (r) => r.name }, count('Events'),
      { label: 'Attributes', class: 'num', cell: (r) => fmtNumber(r.attributes) }]);
  },
  correlated_values(card, rows) {
    clear(card.body).append(table([
      { label: 'Value', class: 'mono wrap', cell: (r) => link(`#/search?value=${encodeURIComponent(r.value)}`, r.value) },
      { label: 'Type', cell: (r) => r.type },
      { label: 'Events', class: 'num', cell: (r) => fmtNumber(r.count) },
    ], rows));
  },
  recent_sightings(card, rows) {
    const kinds = { 0: 'sighting', 1: 'false positive', 2: 'expiration' };
    clear(card.body).append(table([
      { label: 'When', class: 'nowrap', cell: (r) => fmtTime(r.date_sighting) },
      { label: 'Kind', cell: (r) => h('span', { class: `badge sighting-${r.type}` }, kinds[r.type] || r.type) },
      { label: 'Value', class: 'mono wrap', cell: (r) => r.value },
      { label: 'Event', cell: (r) => link(`#/events/${r.event_id}`, r.event_info) },
    ], rows, { empty: 'No sightings yet.' }));
  },
  attack_patterns(card, rows) {
    const order = [...TACTICS];
    rows.forEach((r) => (r.tactics || []).forEach((t) => { if (!order.includes(t)) order.push(t); }));
    // The most frequent techniques of each tactic; the rest are counted
    // in the card's note.
    const columns = order.map((t) => rows.filter((r) => (r.tactics || []).includes(t)).slice(0, MATRIX_DEPTH));
    const used = order.map((t, i) => [t, columns[i]]).filter(([, c]) => c.length);
    if (!used.length) { empty(card); return; }
    const depth = Math.max(...used.map(([, c]) => c.length));
    const data = [];
    used.forEach(([, c], x) => c.forEach((r, y) => data.push({ value: [x, y, r.count], row: r })));
    const box = chartBox(card.body, 'matrix');
    // The matrix keeps its columns readable on a phone and scrolls.
    const scroller = h('div', { class: 'scroll-x' });
    box.replaceWith(scroller);
    scroller.append(box);
    card.body.append(h('p', { class: 'muted note' }, `${rows.length} techniques on the visible events; each column shows its ${MATRIX_DEPTH} most frequent. Click a cell for its events.`));
    box.style.height = `${Math.max(220, depth * 30 + 90)}px`;
    const max = Math.max(...rows.map((r) => r.count));
    chart(box, {
      tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT },
        formatter: (p) => `${p.data.row.name}\n${p.data.row.count} event(s)` },
      grid: { left: 4, right: 4, top: 56, bottom: 40, containLabel: false },
      xAxis: { type: 'category', position: 'top', data: used.map(([t]) => t.replace(/-/g, ' ')), axisLabel: { color: TEXT, interval: 0, width: 90, overflow: 'break', fontSize: 11 }, axisLine: { show: false }, axisTick: { show: false } },
      yAxis: { type: 'category', inverse: true, data: [...Array(depth).keys()].map(String), show: false },
      visualMap: { min: 1, max: Math.max(max, 2), text: [`${Math.max(max, 2)} events`, '1 event'], calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, textStyle: { color: MUTED }, inRange: { color: ['#1d3557', '#3aa0ff', '#f5a524', '#ef4b5f'] } },
      series: [{ type: 'heatmap', data, itemStyle: { borderColor: CARD, borderWidth: 2, borderRadius: 3 },
        label: { show: true, color: '#f4f7fb', fontSize: 10, width: 88, overflow: 'truncate', formatter: (p) => p.data.row.external_id || p.data.row.name } }],
    }, (p) => openTarget('attack_patterns', p.data.row));
    figures(card, 'attack_patterns', rows, [{ label: 'Technique', text: (r) => r.name },
      { label: 'Tactics', class: 'wrap', cell: (r) => (r.tactics || []).join(', ') }, count('Events')]);
  },
  latest_events(card, rows) {
    clear(card.body).append(table([
      { label: 'Date', class: 'nowrap', cell: (r) => r.date },
      { label: 'Event', cell: (r) => link(`#/events/${r.id}`, r.info) },
      { label: 'Org', cell: (r) => r.org },
      { label: 'Threat', cell: (r) => threatBadge(r.threat_level_id) },
      { label: 'Attributes', class: 'num', cell: (r) => fmtNumber(r.attribute_count) },
    ], rows));
  },
};

export async function dashboardPage(ctx) {
  const { main, params } = ctx;
  const range = { from: params.get('from'), to: params.get('to') };
  const layout = [
    ['totals', 'At a glance', 'span-12', {}],
    ['timeline', 'Events and attributes over time', 'span-12', { ...range, bucket: params.get('bucket') || 'month' }],
    ['threat_levels', 'Threat levels', 'span-4', range],
    ['analysis', 'Analysis', 'span-4', range],
    ['top_taxonomies', 'Top taxonomies', 'span-4', range],
    ['attribute_types', 'Attribute types', 'span-6', { ...range, limit: 12 }],
    ['attribute_categories', 'Attribute categories', 'span-6', { ...range, limit: 12 }],
    ['top_tags', 'Top tags', 'span-6', { ...range, limit: 12 }],
    ['top_orgs', 'Top contributing organisations', 'span-6', range],
    ['attack_patterns', 'MITRE ATT&CK techniques seen', 'span-12', range],
    ['correlated_values', 'Most correlated values', 'span-6', {}],
    ['recent_sightings', 'Recent sightings', 'span-6', {}],
    ['latest_events', 'Latest events', 'span-12', { limit: 10 }],
  ];
  const grid = h('div', { class: 'dash-grid' });
  main.append(h('div', { class: 'page wide' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Dashboard'), rangeControls(params)), grid));
  await Promise.all(layout.map(async ([name, title, span, args]) => {
    const card = widgetCard(name, title, span);
    grid.append(card.el);
    try {
      const r = await widget(name, args);
      if (!ctx.isCurrent()) return;
      if (!r.rows.length && name !== 'totals') { empty(card); return; }
      renderers[name](card, r.rows, params);
      done(card, r.rows.length);
    } catch (e) {
      failed(card, e);
    }
  }));
}
