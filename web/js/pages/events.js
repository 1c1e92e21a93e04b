// The event index: a sortable, paged table whose filters live in the
// URL (#/events?tag=tlp:&threat=1&page=2).
import { api } from '../api.js';
import { h, fmtNumber, link, pager, table, tagChip, threatBadge, ANALYSIS, THREAT } from '../dom.js';
import { go, can } from '../app.js';
import { tagNameList } from '../tag_names.js';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The page's URL parameters as events/index filters, so that the server
// filters, sorts and pages.  A tag is a whole tag name, as the tag links
// of every page give it, so a chart's count and its list agree.  A tag
// with MISP's % wildcard matches as a pattern, and one that ends with
// ':' matches the tags of that namespace.
function indexFilters(p) {
  const f = {};
  const text = (p.get('q') || '').trim();
  if (/^\d+$/.test(text)) f.eventid = text;
  else if (text) f.eventinfo = text;
  const tag = (p.get('tag') || '').trim();
  if (tag) f.tags = [tag.endsWith(':') && !tag.includes('%') ? `${tag}%` : tag];
  const org = (p.get('org') || '').trim();
  if (org) f.org = org;
  if (p.get('from')) f.datefrom = p.get('from');
  if (p.get('to')) f.dateuntil = p.get('to');
  if (p.get('threat')) f.threatlevel = p.get('threat');
  if (p.get('analysis')) f.analysis = p.get('analysis');
  if (p.get('published')) f.published = p.get('published') === 'true' ? 1 : 0;
  return f;
}

// The table's sort keys and the events/index sort orders they ask for
// (the creator column sorts by the organisation's id).
const SORTS = {
  date: 'date', info: 'info', org: 'org', threat: 'threat_level_id', attributes: 'attribute_count', id: 'id',
};

// Reads one page of events/index; `total` is X-Result-Count, the number
// of events the filters select.
async function indexPage(filters, extra) {
  const res = await api('/events/index', { body: { ...filters, ...extra }, raw: true });
  return { total: Number(res.headers.get('X-Result-Count')) || 0, rows: await res.json() };
}

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
    input('tag', 'Tag', { type: 'search', placeholder: 'tlp:amber, tlp: or %phish%' }), input('org', 'Creator org', { type: 'search', placeholder: 'name or id' }),
    input('from', 'From', { type: 'date' }), input('to', 'To', { type: 'date' }),
    choice('threat', 'Threat', THREAT), choice('analysis', 'Analysis', ANALYSIS),
    choice('published', 'Published', { true: 'yes', false: 'no' }),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    h('a', { href: '#/events', class: 'button ghost' }, 'Clear'));
  const tagInput = form.querySelector('#f-tag');
  tagInput.after(tagNameList(tagInput, 'f-tag-names'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams(new FormData(form));
    // A UUID opens its event, which events/index cannot filter by.
    const text = (next.get('q') || '').trim();
    if (UUID.test(text)) {
      const found = await api('/events/restSearch', { body: { uuid: text, metadata: 1, returnFormat: 'json' } }).catch(() => null);
      const event = found && found.response && found.response[0] && found.response[0].Event;
      if (event) { go(`/events/${event.id}`); return; }
    }
    if (p.get('sort')) next.set('sort', p.get('sort'));
    if (p.get('dir')) next.set('dir', p.get('dir'));
    go('/events', next);
  });
  return form;
}

export async function eventsPage(ctx) {
  const { main, params } = ctx;
  const sort = SORTS[params.get('sort')] ? params.get('sort') : 'date';
  const dir = params.get('dir') === 'asc' ? 'asc' : 'desc';
  const filters = indexFilters(params);
  const wanted = Math.max(1, Number(params.get('page')) || 1);
  const order = { sort: SORTS[sort], direction: dir, limit: PAGE };
  let result = await indexPage(filters, { ...order, page: wanted });
  const pages = Math.ceil(result.total / PAGE);
  const page = Math.min(wanted, Math.max(pages, 1));
  if (page !== wanted) result = await indexPage(filters, { ...order, page });
  // The number of events without the filters, for "N of M".
  const all = Object.keys(filters).length ? (await indexPage({}, { limit: 1 })).total : result.total;
  if (!ctx.isCurrent()) return;
  const rows = result.rows;
  const withParam = (k, v) => { const n = new URLSearchParams(params); n.set(k, v); return n; };
  const onSort = (k) => {
    const n = withParam('sort', k);
    n.set('dir', sort === k && dir === 'desc' ? 'asc' : 'desc');
    n.delete('page');
    go('/events', n);
  };
  const turn = (n) => go('/events', withParam('page', n));
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
  ], rows, { sort, dir, onSort, empty: 'No event matches these filters.' });
  main.append(h('div', { class: 'page wide' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Events'),
      can('perm_add') ? h('a', { class: 'button primary', href: '#/events/new' }, 'New event') : null),
    filterBar(params),
    h('p', { class: 'muted', id: 'result-count' }, `${fmtNumber(result.total)} of ${fmtNumber(all)} events`),
    pager(page, pages, result.total, turn, 'above the events'), grid, pager(page, pages, result.total, turn, 'below the events')));
}
