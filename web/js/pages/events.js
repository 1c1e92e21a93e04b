// The event index: a sortable, paged table whose filters live in the
// URL (#/events?tag=tlp:&threat=1&page=2).
import { api } from '../api.js';
import { h, fmtNumber, link, pager, table, tagChip, threatBadge, ANALYSIS, THREAT } from '../dom.js';
import { go, can } from '../app.js';

const PAGE = 50;

// TODO: events/index takes no filters, sort or paging yet, so the page
// reads the whole visible index and filters it here.
function matches(e, p) {
  const text = (p.get('q') || '').toLowerCase();
  const tag = (p.get('tag') || '').toLowerCase();
  const org = (p.get('org') || '').toLowerCase();
  const tags = (e.EventTag || []).map((t) => (t.Tag && t.Tag.name || '').toLowerCase());
  if (text && !(e.info || '').toLowerCase().includes(text) && e.uuid !== text && e.id !== text) return false;
  if (tag && !tags.some((t) => t === tag || (tag.endsWith(':') ? t.startsWith(tag) : t.includes(tag)))) return false;
  if (org && !((e.Orgc && e.Orgc.name) || '').toLowerCase().includes(org)) return false;
  if (p.get('from') && e.date < p.get('from')) return false;
  if (p.get('to') && e.date > p.get('to')) return false;
  if (p.get('threat') && String(e.threat_level_id) !== p.get('threat')) return false;
  if (p.get('analysis') && String(e.analysis) !== p.get('analysis')) return false;
  if (p.get('published') && String(!!e.published) !== p.get('published')) return false;
  return true;
}

const SORTS = {
  date: (e) => e.date, info: (e) => (e.info || '').toLowerCase(), org: (e) => ((e.Orgc && e.Orgc.name) || '').toLowerCase(),
  threat: (e) => Number(e.threat_level_id), attributes: (e) => Number(e.attribute_count), id: (e) => Number(e.id),
};

function filterBar(params) {
  const p = new URLSearchParams(params);
  const input = (name, label, attrs) => {
    const el = h('input', { name, id: `f-${name}`, value: p.get(name) || '', ...attrs });
    return h('div', { class: 'field inline' }, h('label', { for: `f-${name}` }, label), el);
  };
  const choice = (name, label, opts) => h('div', { class: 'field inline' }, h('label', { for: `f-${name}` }, label),
    h('select', { name, id: `f-${name}` }, h('option', { value: '' }, 'any'),
      Object.entries(opts).map(([v, l]) => h('option', { value: v, selected: p.get(name) === v }, l))));
  const form = h('form', { class: 'filters', role: 'search' },
    input('q', 'Text', { type: 'search', placeholder: 'info, id or UUID' }),
    input('tag', 'Tag', { type: 'search' }), input('org', 'Creator org', { type: 'search' }),
    input('from', 'From', { type: 'date' }), input('to', 'To', { type: 'date' }),
    choice('threat', 'Threat', THREAT), choice('analysis', 'Analysis', ANALYSIS),
    choice('published', 'Published', { true: 'yes', false: 'no' }),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    h('a', { href: '#/events', class: 'button ghost' }, 'Clear'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams(new FormData(form));
    if (p.get('sort')) next.set('sort', p.get('sort'));
    if (p.get('dir')) next.set('dir', p.get('dir'));
    go('/events', next);
  });
  return form;
}

export async function eventsPage(ctx) {
  const { main, params } = ctx;
  const all = await api('/events/index');
  if (!ctx.isCurrent()) return;
  const sort = SORTS[params.get('sort')] ? params.get('sort') : 'date';
  const dir = params.get('dir') === 'asc' ? 'asc' : 'desc';
  const rows = all.filter((e) => matches(e, params));
  const key = SORTS[sort];
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    const c = x < y ? -1 : x > y ? 1 : Number(a.id) - Number(b.id);
    return dir === 'asc' ? c : -c;
  });
  const pages = Math.ceil(rows.length / PAGE);
  const page = Math.min(Math.max(1, Number(params.get('page')) || 1), Math.max(pages, 1));
  const withParam = (k, v) => { const n = new URLSearchParams(params); n.set(k, v); return n; };
  const onSort = (k) => {
    const n = withParam('sort', k);
    n.set('dir', sort === k && dir === 'desc' ? 'asc' : 'desc');
    n.delete('page');
    go('/events', n);
  };
  const grid = table([
    { label: 'Id', sortKey: 'id', class: 'num', cell: (e) => link(`#/events/${e.id}`, e.id) },
    { label: 'Date', sortKey: 'date', class: 'nowrap', cell: (e) => e.date },
    { label: 'Info', sortKey: 'info', class: 'wrap', cell: (e) => link(`#/events/${e.id}`, e.info, { class: 'event-link' }) },
    { label: 'Creator', sortKey: 'org', cell: (e) => (e.Orgc && e.Orgc.name) || '' },
    { label: 'Tags', class: 'tags', cell: (e) => (e.EventTag || []).filter((t) => t.Tag && !/^misp-galaxy:/.test(t.Tag.name)).slice(0, 5)
      .map((t) => tagChip(t.Tag, `#/events?tag=${encodeURIComponent(t.Tag.name)}`)) },
    { label: 'Threat', sortKey: 'threat', cell: (e) => threatBadge(e.threat_level_id) },
    { label: 'Analysis', cell: (e) => ANALYSIS[e.analysis] || '' },
    { label: 'Attributes', sortKey: 'attributes', class: 'num', cell: (e) => fmtNumber(e.attribute_count) },
    { label: 'Published', cell: (e) => (e.published ? h('span', { class: 'badge ok' }, 'yes') : h('span', { class: 'badge muted' }, 'no')) },
  ], rows.slice((page - 1) * PAGE, page * PAGE), { sort, dir, onSort, empty: 'No event matches these filters.' });
  main.append(h('div', { class: 'page wide' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Events'),
      can('perm_add') ? h('a', { class: 'button primary', href: '#/events/new' }, 'New event') : null),
    filterBar(params),
    h('p', { class: 'muted', id: 'result-count' }, `${fmtNumber(rows.length)} of ${fmtNumber(all.length)} events`),
    grid, pager(page, pages, rows.length, (n) => go('/events', withParam('page', n)))));
}
