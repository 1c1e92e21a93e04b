// DOM helpers.  Every value is inserted as text (textContent or a Text
// node); nothing here parses HTML, so data from users can never run.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function link(href, text, attrs) {
  return h('a', { href, ...(attrs || {}) }, text);
}

export const THREAT = { 1: 'High', 2: 'Medium', 3: 'Low', 4: 'Undefined' };
export const ANALYSIS = { 0: 'Initial', 1: 'Ongoing', 2: 'Completed' };
export const DISTRIBUTION = {
  0: 'Your organisation only', 1: 'This community only', 2: 'Connected communities',
  3: 'All communities', 4: 'Sharing group', 5: 'Inherit event',
};
// The threat level colours, shared by badges and charts.
export const THREAT_COLOUR = { 1: '#ef4b5f', 2: '#f5a524', 3: '#3ccf8e', 4: '#8a94a6' };
export const ANALYSIS_COLOUR = { 0: '#8a94a6', 1: '#3aa0ff', 2: '#3ccf8e' };

export function threatBadge(id) {
  return h('span', { class: `badge threat-${Number(id) || 4}` }, THREAT[id] || 'Undefined');
}

// A tag chip in the tag's colour, with a text colour readable on it.
// The colour is set through the CSSOM, which the CSP allows, and only
// when it is a #rgb or #rrggbb value.
export function tagChip(tag, href) {
  const name = tag.name || '';
  const chip = h(href ? 'a' : 'span', { class: 'tag', href, title: name }, name);
  const colour = /^#[0-9a-fA-F]{6}$/.test(tag.colour || '') ? tag.colour : null;
  const tlp = /^tlp:/i.test(name) ? name.slice(4).toLowerCase().replace(/"/g, '') : null;
  if (tlp) chip.classList.add(`tlp-${tlp.replace(/[^a-z+-]/g, '')}`);
  else if (colour) {
    chip.style.backgroundColor = colour;
    chip.style.color = textOn(colour);
  }
  return chip;
}

// Black or white, whichever contrasts more with the background (WCAG
// relative luminance), so a chip in any colour stays readable.
export function textOn(hex) {
  const L = luminance(hex);
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? '#000000' : '#ffffff';
}

// The WCAG relative luminance of a #rrggbb colour, from 0 (black) to 1.
export function luminance(hex) {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c) => { const v = c / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
}

export function fmtNumber(n) {
  return Number(n || 0).toLocaleString('en-US');
}

export function fmtTime(unix) {
  const t = Number(unix);
  if (!t) return '';
  return new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

export function toast(message, kind) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast show ${kind || ''}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = 'toast'; }, 4000);
}

// A simple table: columns are {label, cell(row) -> node or text, sort}.
export function table(columns, rows, opts) {
  const o = opts || {};
  const head = h('tr', {}, columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.class }, c.label);
    if (c.sortKey && o.onSort) {
      const active = o.sort === c.sortKey;
      th.setAttribute('aria-sort', active ? (o.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      const b = h('button', { type: 'button', class: 'sort', onclick: () => o.onSort(c.sortKey) },
        c.label, active ? (o.dir === 'asc' ? ' ▲' : ' ▼') : '');
      th.textContent = '';
      th.append(b);
    }
    return th;
  }));
  const body = h('tbody', {}, rows.map((r) => h('tr', {},
    columns.map((c) => h('td', { class: c.class }, c.cell(r))))));
  if (!rows.length) {
    body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, o.empty || 'Nothing to show.')));
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', {}, head), body));
}

// Previous and next buttons with "Page N of M · T rows".  A table gets
// one above and one below, so that the keyboard reaches one without
// passing every row, and `where` tells the two landmarks apart.
export function pager(page, pages, total, onPage, where) {
  return h('nav', { class: 'pager', 'aria-label': `Pages${where ? `, ${where}` : ''}` },
    h('button', { type: 'button', disabled: page <= 1, onclick: () => onPage(page - 1) }, '‹ Previous'),
    h('span', { class: 'muted' }, `Page ${page} of ${Math.max(pages, 1)} · ${fmtNumber(total)} rows`),
    h('button', { type: 'button', disabled: page >= pages, onclick: () => onPage(page + 1) }, 'Next ›'));
}

export function field(label, control, id, error) {
  control.id = id;
  const err = h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' }, error || '');
  control.setAttribute('aria-describedby', `${id}-error`);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, err);
}

export function select(options, value) {
  return h('select', {}, options.map(([v, label]) =>
    h('option', { value: v, selected: String(v) === String(value) }, label)));
}

export function card(title, body, extra) {
  return h('section', { class: `card ${extra || ''}` }, h('h2', {}, title), body);
}
