// The event view's table of attributes (object attributes included),
// paged and filtered on the server through attributes/restSearch, so a
// page of the table reads 50 attributes whatever the event's size.  Its
// filters and page live in the URL (#/events/5?type=ip-dst&page=3), set
// with history.replaceState so that paging redraws only the table.
import { api, describeTypes } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, pager, select, table, tagChip } from '../dom.js';
import { attributeForm } from './edit.js';

export const PAGE = 50;
const RELATED_SHOWN = 3;
const TYPING_DELAY_MS = 250;

// The table's state from the URL's query: text, type, category, ids and
// page.
export function tableState(params) {
  return {
    q: params.get('q') || '',
    type: params.get('type') || '',
    category: params.get('category') || '',
    ids: ['true', 'false'].includes(params.get('ids')) ? params.get('ids') : '',
    page: Math.max(1, Number(params.get('page')) || 1),
  };
}

// The restSearch body of one page.  The text matches values that contain
// it, unless it contains MISP's % wildcard itself.
// TODO: match comments too; restSearch's searchall would, but it also
// matches the event's info and tags, and then every row.
export function pageQuery(eventId, state) {
  const body = {
    eventid: eventId, limit: PAGE, page: state.page, returnFormat: 'json',
    includeSightings: 1, includeWarninglistHits: 1, includeCorrelations: 1,
  };
  const text = state.q.trim();
  if (text) body.value = text.includes('%') ? text : `%${text}%`;
  if (state.type) body.type = state.type;
  if (state.category) body.category = state.category;
  if (state.ids) body.to_ids = state.ids === 'true';
  return body;
}

function filtered(state) {
  return !!(state.q.trim() || state.type || state.category || state.ids);
}

// Reads one page; `total` is X-Result-Count, the number of attributes
// that the filters select.
async function readPage(eventId, state) {
  const res = await api('/attributes/restSearch', { body: pageQuery(eventId, state), raw: true });
  const body = await res.json();
  return { total: Number(res.headers.get('X-Result-Count')) || 0, rows: (body.response && body.response.Attribute) || [] };
}

// The objects that hold the page's object attributes, by object id, read
// in one objects/restSearch call (its uuid filter matches an object by
// the uuid of one of its attributes).
async function readObjects(eventId, rows) {
  const uuids = rows.filter((a) => Number(a.object_id)).map((a) => a.uuid);
  if (!uuids.length) return new Map();
  const r = await api('/objects/restSearch', { body: { eventid: eventId, uuid: uuids, returnFormat: 'json' } });
  return new Map(((r && r.response) || []).map((o) => o.Object || o).map((o) => [String(o.id), o]));
}

function writeUrl(state) {
  const raw = location.hash.replace(/^#/, '');
  const path = raw.split('?')[0];
  const q = new URLSearchParams();
  for (const k of ['q', 'type', 'category', 'ids']) if (state[k]) q.set(k, state[k]);
  if (state.page > 1) q.set('page', String(state.page));
  const query = q.toString();
  history.replaceState(history.state, '', `#${path}${query ? `?${query}` : ''}`);
}

function warningBadges(a) {
  return (a.warnings || []).map((w) => h('span', { class: 'badge warn', title: `On the warninglist ${w.warninglist_name}` },
    `warninglist: ${w.warninglist_name}`));
}

// Links to the first events that share the attribute's value.
function relatedLinks(a) {
  const related = a.RelatedAttribute || [];
  const shown = related.slice(0, RELATED_SHOWN).map((r) => link(`#/events/${r.id}`, `#${r.id}`,
    { class: 'related-attr', title: `${r.date || ''} ${r.info || ''}`.trim() }));
  if (related.length > RELATED_SHOWN) shown.push(h('span', { class: 'muted' }, ` +${related.length - RELATED_SHOWN}`));
  return shown;
}

function objectLabel(a, objects) {
  if (!Number(a.object_id)) return '';
  const o = objects.get(String(a.object_id));
  const name = o ? o.name : `object ${a.object_id}`;
  return a.object_relation ? `${name} · ${a.object_relation}` : name;
}

function columns(ev, editable, objects, editRow) {
  return [
    { label: 'Changed', class: 'nowrap muted wide-only', cell: (a) => fmtTime(a.timestamp) },
    { label: 'Category', class: 'nowrap wide-only', cell: (a) => a.category },
    { label: 'Type', class: 'nowrap', cell: (a) => h('span', { class: 'type' }, a.type) },
    { label: 'Value', class: 'mono wrap value',
      cell: (a) => [link(`#/search?value=${encodeURIComponent(a.value)}`, a.value), warningBadges(a)] },
    { label: 'Comment', class: 'wrap', cell: (a) => a.comment },
    { label: 'Object', class: 'muted', cell: (a) => objectLabel(a, objects) },
    { label: 'Tags', class: 'tags', cell: (a) => (a.Tag || []).map((t) => tagChip(t)) },
    { label: 'Related', class: 'nowrap', cell: relatedLinks },
    { label: 'IDS', cell: (a) => (a.to_ids ? h('span', { class: 'badge ok' }, 'IDS') : '') },
    { label: 'Sightings', class: 'num', cell: (a) => ((a.Sighting || []).length ? fmtNumber(a.Sighting.length) : '') },
    { label: '', cell: (a) => (editable ? h('button', { type: 'button', class: 'ghost small', 'aria-label': `Edit attribute ${a.id}`,
      onclick: (e) => editRow(e.target.closest('tr'), a) }, 'Edit') : '') },
  ];
}

function filterControls(state, types) {
  const q = h('input', { type: 'search', id: 'attr-filter', value: state.q, placeholder: 'Filter values (% as wildcard)',
    'aria-label': 'Filter attribute values' });
  const type = select([['', 'all types'], ...[...types.types].sort().map((t) => [t, t])], state.type);
  type.id = 'attr-type';
  type.setAttribute('aria-label', 'Attribute type');
  const category = select([['', 'all categories'], ...types.categories.map((c) => [c, c])], state.category);
  category.id = 'attr-category';
  category.setAttribute('aria-label', 'Attribute category');
  const ids = select([['', 'IDS and not'], ['true', 'for IDS'], ['false', 'not for IDS']], state.ids);
  ids.id = 'attr-ids';
  ids.setAttribute('aria-label', 'For IDS');
  return { q, type, category, ids };
}

// Builds the table and reads its first page.  Returns {el, ready}, where
// ready settles once that page is drawn.
export async function attributeTable(ev, params, editable, reload) {
  const state = tableState(params);
  const types = await describeTypes();
  const controls = filterControls(state, types);
  const holder = h('div', { class: 'attr-table', 'aria-busy': 'true', 'aria-live': 'polite' });
  let request = 0;
  const editRow = async (tr, a) => {
    const form = await attributeForm(ev, a, () => reload());
    tr.after(h('tr', { class: 'edit-row' }, h('td', { colspan: 11 }, form)));
  };
  const draw = async () => {
    const mine = ++request;
    holder.setAttribute('aria-busy', 'true');
    writeUrl(state);
    let result;
    let objects;
    try {
      result = await readPage(ev.id, state);
      objects = await readObjects(ev.id, result.rows);
    } catch (e) {
      if (mine !== request) return;
      clear(holder).append(h('div', { class: 'alert error', role: 'alert' }, e.message));
      holder.setAttribute('aria-busy', 'false');
      return;
    }
    if (mine !== request) return;
    const pages = Math.ceil(result.total / PAGE);
    if (state.page > Math.max(pages, 1)) {
      state.page = Math.max(pages, 1);
      await draw();
      return;
    }
    const turn = (n) => { state.page = n; draw(); };
    clear(holder).append(pager(state.page, pages, result.total, turn, 'above the attributes'),
      table(columns(ev, editable, objects, editRow), result.rows, { empty: filtered(state) ? 'No attribute matches.' : 'This event has no attributes.' }),
      pager(state.page, pages, result.total, turn, 'below the attributes'));
    holder.dataset.total = String(result.total);
    holder.dataset.page = String(state.page);
    holder.dataset.draw = String(mine);
    holder.setAttribute('aria-busy', 'false');
  };
  // Every change applies all the controls as they read, a text still
  // being typed included.
  let typing;
  const apply = () => {
    clearTimeout(typing);
    for (const k of ['q', 'type', 'category', 'ids']) state[k] = controls[k].value;
    state.page = 1;
    draw();
  };
  controls.q.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(apply, TYPING_DELAY_MS);
  });
  for (const k of ['type', 'category', 'ids']) controls[k].addEventListener('change', apply);
  const el = h('div', {}, h('div', { class: 'filters compact' }, controls.q, controls.type, controls.category, controls.ids), holder);
  return { el, ready: draw() };
}
