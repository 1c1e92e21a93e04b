// Attribute search across events through attributes/restSearch, with the
// main filters kept in the URL and a download in each export format.
import { api } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, pager, table, toast, tagChip } from '../dom.js';
import { go } from '../app.js';

const PAGE = 100;
// Every returnFormat of restSearch, with the file extension of its
// download.
export const FORMATS = [['json', 'json'], ['csv', 'csv'], ['text', 'txt'], ['stix2', 'json'],
  ['suricata', 'rules'], ['snort', 'rules'], ['rpz', 'txt'], ['hashes', 'txt'], ['zeek', 'txt'], ['yara', 'yara'],
  ['count', 'txt'], ['cache', 'csv']];

// Text filters; the lists (tags, type) take comma-separated values.
const TEXT_FILTERS = [['value', 'Value', 'substring with %, as MISP'], ['type', 'Type', 'ip-dst, domain…'],
  ['category', 'Category', ''], ['tags', 'Tags', 'tlp:amber, !tlp:red'], ['org', 'Organisation', ''],
  ['eventid', 'Event id', ''], ['uuid', 'UUID', ''], ['last', 'Published within', '7d, 24h']];

export function searchBody(params) {
  const body = {};
  for (const [k] of TEXT_FILTERS) {
    const v = (params.get(k) || '').trim();
    if (!v) continue;
    body[k] = ['type', 'tags', 'category', 'org'].includes(k) && v.includes(',') ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  }
  for (const k of ['from', 'to']) if (params.get(k)) body[k] = params.get(k);
  for (const k of ['to_ids', 'published']) if (params.get(k)) body[k] = params.get(k) === 'true';
  return body;
}

function filterForm(params) {
  const inputs = TEXT_FILTERS.map(([k, label, ph]) => h('div', { class: 'field inline' },
    h('label', { for: `s-${k}` }, label), h('input', { type: 'search', id: `s-${k}`, name: k, value: params.get(k) || '', placeholder: ph })));
  const yesno = (k, label) => h('div', { class: 'field inline' }, h('label', { for: `s-${k}` }, label),
    h('select', { id: `s-${k}`, name: k }, [['', 'any'], ['true', 'yes'], ['false', 'no']]
      .map(([v, l]) => h('option', { value: v, selected: (params.get(k) || '') === v }, l))));
  const form = h('form', { class: 'filters', role: 'search' }, inputs,
    h('div', { class: 'field inline' }, h('label', { for: 's-from' }, 'Event from'), h('input', { type: 'date', id: 's-from', name: 'from', value: params.get('from') || '' })),
    h('div', { class: 'field inline' }, h('label', { for: 's-to' }, 'to'), h('input', { type: 'date', id: 's-to', name: 'to', value: params.get('to') || '' })),
    yesno('to_ids', 'For IDS'), yesno('published', 'Published'),
    h('button', { type: 'submit', class: 'primary' }, 'Search'), h('a', { href: '#/search', class: 'button ghost' }, 'Clear'));
  form.addEventListener('submit', (e) => { e.preventDefault(); go('/search', new URLSearchParams(new FormData(form))); });
  return form;
}

// cairn-attributes.csv, or cairn-attributes-suricata.rules where the
// extension does not name the format.
export function downloadName(format, ext) {
  return format === ext ? `cairn-attributes.${ext}` : `cairn-attributes-${format}.${ext}`;
}

async function download(params, format, ext) {
  try {
    const res = await api('/attributes/restSearch', { body: { ...searchBody(params), returnFormat: format }, raw: true, accept: '*/*' });
    const blob = await res.blob();
    const a = h('a', { href: URL.createObjectURL(blob), download: downloadName(format, ext) });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (e) {
    toast(`${format}: ${e.message}`, 'error');
  }
}

export async function searchPage(ctx) {
  const { main, params } = ctx;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const body = searchBody(params);
  const results = h('div', { id: 'search-results' });
  const downloads = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download the results' },
    h('span', { class: 'muted' }, 'Download:'),
    FORMATS.map(([f, ext]) => h('button', { type: 'button', class: 'chip-button', dataset: { format: f }, onclick: () => download(params, f, ext) }, f)));
  main.append(h('div', { class: 'page wide' }, h('div', { class: 'page-head' }, h('h1', {}, 'Search attributes')),
    filterForm(params), downloads, results));
  if (!Object.keys(body).length) {
    results.append(h('p', { class: 'muted' }, 'Set a filter to search every event you can read.'));
    return;
  }
  // With limit, X-Result-Count holds the number of matches on every page.
  let r, total;
  try {
    const res = await api('/attributes/restSearch', { body: { ...body, limit: PAGE, page, returnFormat: 'json' }, raw: true });
    total = Number(res.headers.get('X-Result-Count')) || 0;
    r = await res.json();
  } catch (e) {
    results.append(h('div', { class: 'alert error', role: 'alert' }, e.message));
    return;
  }
  if (!ctx.isCurrent()) return;
  const rows = ((r.response && r.response.Attribute) || []);
  const pages = Math.ceil(total / PAGE);
  const turn = (n) => { const p = new URLSearchParams(params); p.set('page', n); go('/search', p); };
  clear(results).append(
    h('p', { class: 'muted', id: 'result-count' }, `${fmtNumber(rows.length)} of ${fmtNumber(total)} attributes on page ${page}`),
    pager(page, pages, total, turn, 'above the attributes'),
    table([
      { label: 'Event', class: 'num', cell: (a) => link(`#/events/${a.event_id}`, a.event_id) },
      { label: 'Event info', class: 'wrap wide-only', cell: (a) => (a.Event && a.Event.info) || '' },
      { label: 'Changed', class: 'nowrap muted wide-only', cell: (a) => fmtTime(a.timestamp) },
      { label: 'Category', class: 'wide-only', cell: (a) => a.category },
      { label: 'Type', cell: (a) => h('span', { class: 'type' }, a.type) },
      { label: 'Value', class: 'mono wrap', cell: (a) => a.value },
      { label: 'Comment', class: 'wrap', cell: (a) => a.comment },
      { label: 'Tags', class: 'tags', cell: (a) => (a.Tag || []).map((t) => tagChip(t)) },
      { label: 'IDS', cell: (a) => (a.to_ids ? h('span', { class: 'badge ok' }, 'IDS') : '') },
    ], rows.slice(0, PAGE), { empty: 'No attribute matches.' }),
    pager(page, pages, total, turn, 'below the attributes'));
}
