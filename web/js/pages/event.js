// The event view: metadata, tags, clusters, a paged and filtered table of
// attributes (objects' attributes included), sightings, related events
// with their graph, and the first_seen / last_seen timeline.
import { api } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, pager, table, tagChip, threatBadge, toast, ANALYSIS, DISTRIBUTION, select } from '../dom.js';
import { chart, LINE, MUTED, TEXT, PALETTE } from '../charts.js';
import { go, can, session } from '../app.js';
import { attributeForm } from './edit.js';

const PAGE = 50;

function flatten(ev) {
  const rows = (ev.Attribute || []).map((a) => ({ ...a, objectName: '' }));
  for (const o of ev.Object || []) {
    for (const a of o.Attribute || []) rows.push({ ...a, objectName: `${o.name}${a.object_relation ? ` · ${a.object_relation}` : ''}` });
  }
  return rows;
}

function meta(ev) {
  const item = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  return h('dl', { class: 'meta' },
    item('Id', ev.id), item('UUID', h('span', { class: 'mono' }, ev.uuid)), item('Date', ev.date),
    item('Creator', (ev.Orgc && ev.Orgc.name) || ''), item('Owner', (ev.Org && ev.Org.name) || ''),
    item('Distribution', DISTRIBUTION[ev.distribution] || ev.distribution),
    item('Analysis', ANALYSIS[ev.analysis] || ev.analysis),
    item('Attributes', fmtNumber(ev.attribute_count)), item('Last change', fmtTime(ev.timestamp)),
    item('Published', Number(ev.publish_timestamp) ? fmtTime(ev.publish_timestamp) : 'no'));
}

function mayModify(ev) {
  const r = session.role || {};
  if (r.perm_site_admin) return true;
  return !!r.perm_modify && String(ev.orgc_id) === String(session.org.id);
}

function tagSection(ev, reload) {
  const wrap = h('div', { class: 'tag-list', id: 'event-tags' });
  for (const t of ev.Tag || []) {
    if (/^misp-galaxy:/.test(t.name)) continue;
    const chip = tagChip(t, `#/events?tag=${encodeURIComponent(t.name)}`);
    const item = h('span', { class: 'tag-item' }, chip);
    if (can('perm_tagger') && mayModify(ev)) {
      item.append(h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove tag ${t.name}`,
        onclick: async () => {
          try { await api('/tags/removeTagFromObject', { body: { uuid: ev.uuid, tag: t.id } }); reload(); } catch (e) { toast(e.message, 'error'); }
        } }, '×'));
    }
    wrap.append(item);
  }
  if (!wrap.childNodes.length) wrap.append(h('span', { class: 'muted' }, 'No tags.'));
  if (!(can('perm_tagger') && mayModify(ev))) return wrap;
  const input = h('input', { type: 'text', id: 'tag-input', list: 'tag-names', placeholder: 'tlp:amber, a taxonomy tag…', 'aria-label': 'Tag to add' });
  const names = h('datalist', { id: 'tag-names' });
  input.addEventListener('focus', async () => {
    if (names.childNodes.length) return;
    const r = await api('/tags/index');
    (r.Tag || r).slice(0, 2000).forEach((t) => names.append(h('option', { value: t.name })));
  }, { once: true });
  const form = h('form', { class: 'inline-form' }, input, names, h('button', { type: 'submit' }, 'Add tag'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!input.value.trim()) return;
    try {
      await api('/tags/attachTagToObject', { body: { uuid: ev.uuid, tag: input.value.trim() } });
      reload();
    } catch (err) { toast(err.message, 'error'); }
  });
  return h('div', {}, wrap, form);
}

function gallerySection(ev, reload) {
  const wrap = h('div', { class: 'clusters' });
  for (const g of ev.Galaxy || []) {
    wrap.append(h('div', { class: 'cluster-group' }, h('span', { class: 'muted' }, g.name),
      (g.GalaxyCluster || []).map((c) => h('a', { class: 'cluster', href: `#/events?tag=${encodeURIComponent(c.tag_name)}`, title: c.description || '' }, c.value))));
  }
  if (!wrap.childNodes.length) wrap.append(h('span', { class: 'muted' }, 'No galaxy clusters.'));
  if (!(can('perm_tagger') && mayModify(ev))) return wrap;
  const input = h('input', { type: 'search', id: 'cluster-search', placeholder: 'Search clusters: Emotet, T1059…', 'aria-label': 'Galaxy cluster to attach' });
  const results = h('div', { class: 'cluster-results' });
  const form = h('form', { class: 'inline-form' }, input, h('button', { type: 'submit' }, 'Find'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(results);
    const list = await api('/galaxy_clusters/index', { method: 'POST', body: { GalaxyCluster: { searchall: input.value } } });
    list.slice(0, 12).forEach(({ GalaxyCluster: c }) => results.append(h('button', {
      type: 'button', class: 'chip-button',
      onclick: async () => {
        try { await api(`/galaxies/attachCluster/${ev.id}/event`, { body: { Galaxy: { target_id: c.id } } }); reload(); } catch (err) { toast(err.message, 'error'); }
      },
    }, `${c.type}: ${c.value}`)));
    if (!list.length) results.append(h('span', { class: 'muted' }, 'No cluster matches.'));
  });
  return h('div', {}, wrap, form, results);
}

function attributeTable(ev, rows, reload) {
  const state = { q: '', type: '', category: '', page: 1 };
  const holder = h('div', {});
  const types = [...new Set(rows.map((a) => a.type))].sort();
  const cats = [...new Set(rows.map((a) => a.category))].sort();
  const q = h('input', { type: 'search', id: 'attr-filter', placeholder: 'Filter values and comments', 'aria-label': 'Filter attributes' });
  const typeSel = select([['', 'all types'], ...types.map((t) => [t, t])], '');
  typeSel.setAttribute('aria-label', 'Attribute type');
  typeSel.id = 'attr-type';
  const catSel = select([['', 'all categories'], ...cats.map((t) => [t, t])], '');
  catSel.setAttribute('aria-label', 'Attribute category');
  const editable = mayModify(ev);
  const hits = new Map(); // value -> warninglist hits, from warninglists/checkValue
  let slots = [];
  // Marks the values of the shown page that an enabled warninglist holds.
  const markHits = async () => {
    const mine = slots;
    const unknown = [...new Set(mine.map(([v]) => v).filter((v) => !hits.has(v)))];
    if (unknown.length) {
      try {
        const r = await api('/warninglists/checkValue', { body: unknown });
        unknown.forEach((v) => hits.set(v, (r && r[v]) || []));
      } catch (e) { return; }
    }
    for (const [v, slot] of mine) {
      for (const w of hits.get(v) || []) {
        slot.append(h('span', { class: 'badge warn', title: `On the warninglist ${w.name}` }, `warninglist: ${w.name}`));
      }
    }
  };
  const draw = () => {
    slots = [];
    const text = state.q.toLowerCase();
    const shown = rows.filter((a) => (!state.type || a.type === state.type) && (!state.category || a.category === state.category)
      && (!text || a.value.toLowerCase().includes(text) || (a.comment || '').toLowerCase().includes(text)));
    const pages = Math.ceil(shown.length / PAGE);
    state.page = Math.min(state.page, Math.max(pages, 1));
    const slice = shown.slice((state.page - 1) * PAGE, state.page * PAGE);
    clear(holder).append(table([
      { label: 'Changed', class: 'nowrap muted', cell: (a) => fmtTime(a.timestamp) },
      { label: 'Category', class: 'nowrap', cell: (a) => a.category },
      { label: 'Type', class: 'nowrap', cell: (a) => h('span', { class: 'type' }, a.type) },
      { label: 'Value', class: 'mono wrap value', cell: (a) => {
        const slot = h('span', { class: 'wl-slot' });
        slots.push([a.value, slot]);
        return [link(`#/search?value=${encodeURIComponent(a.value)}`, a.value), slot];
      } },
      { label: 'Comment', class: 'wrap', cell: (a) => a.comment },
      { label: 'Object', class: 'muted', cell: (a) => a.objectName },
      { label: 'Tags', class: 'tags', cell: (a) => (a.Tag || []).map((t) => tagChip(t)) },
      { label: 'IDS', cell: (a) => (a.to_ids ? h('span', { class: 'badge ok' }, 'IDS') : '') },
      { label: 'Sightings', class: 'num', cell: (a) => ((a.Sighting || []).length ? fmtNumber(a.Sighting.length) : '') },
      { label: '', cell: (a) => (editable ? h('button', { type: 'button', class: 'ghost small', 'aria-label': `Edit attribute ${a.id}`,
        onclick: (e) => editRow(e.target.closest('tr'), a) }, 'Edit') : '') },
    ], slice, { empty: 'No attribute matches.' }),
    pager(state.page, pages, shown.length, (n) => { state.page = n; draw(); }));
    holder.dataset.shown = String(shown.length);
    markHits();
  };
  const editRow = async (tr, a) => {
    const form = await attributeForm(ev, a, () => reload());
    const cell = h('td', { colspan: 10 }, form);
    const row = h('tr', { class: 'edit-row' }, cell);
    tr.after(row);
  };
  q.addEventListener('input', () => { state.q = q.value; state.page = 1; draw(); });
  typeSel.addEventListener('change', () => { state.type = typeSel.value; state.page = 1; draw(); });
  catSel.addEventListener('change', () => { state.category = catSel.value; state.page = 1; draw(); });
  draw();
  return h('div', {}, h('div', { class: 'filters compact' }, q, typeSel, catSel), holder);
}

function sightingSummary(rows) {
  const counts = [0, 0, 0];
  let last = 0;
  rows.forEach((a) => (a.Sighting || []).forEach((s) => { counts[Number(s.type)] = (counts[Number(s.type)] || 0) + 1; last = Math.max(last, Number(s.date_sighting)); }));
  if (!counts[0] && !counts[1] && !counts[2]) return h('span', { class: 'muted' }, 'No sightings.');
  return h('div', { class: 'sighting-summary' },
    h('span', { class: 'badge sighting-0' }, `${counts[0]} sightings`),
    h('span', { class: 'badge sighting-1' }, `${counts[1]} false positives`),
    h('span', { class: 'badge sighting-2' }, `${counts[2]} expirations`),
    h('span', { class: 'muted' }, `last ${fmtTime(last)}`));
}

function relatedSection(ev) {
  const rel = (ev.RelatedEvent || []).map((r) => r.Event || r);
  if (!rel.length) return { list: h('span', { class: 'muted' }, 'No correlations with other events.'), graph: null };
  const list = table([
    { label: 'Date', class: 'nowrap', cell: (r) => r.date },
    { label: 'Event', class: 'wrap', cell: (r) => link(`#/events/${r.id}`, r.info, { class: 'related-link' }) },
    { label: 'Org', cell: (r) => (r.Orgc && r.Orgc.name) || '' },
  ], rel.slice(0, 100));
  const box = h('div', { class: 'chart tall', role: 'img', 'aria-label': 'Correlation graph of this event and its related events' });
  const draw = () => {
    const nodes = [{ id: String(ev.id), name: ev.info, symbolSize: 34, itemStyle: { color: '#f5a524' }, label: { show: true } }];
    const links = [];
    rel.slice(0, 60).forEach((r, i) => {
      nodes.push({ id: String(r.id), name: r.info, symbolSize: 16, itemStyle: { color: PALETTE[i % PALETTE.length] } });
      links.push({ source: String(ev.id), target: String(r.id) });
    });
    chart(box, {
      tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT }, formatter: (p) => p.data.name || '' },
      series: [{ type: 'graph', layout: 'force', roam: true, draggable: true, data: nodes, links,
        force: { repulsion: 220, edgeLength: [60, 140] }, lineStyle: { color: MUTED, opacity: 0.5 },
        label: { color: TEXT, fontSize: 10, width: 140, overflow: 'truncate', position: 'right' } }],
    }, (p) => { if (p.dataType === 'node' && p.data.id !== String(ev.id)) go(`/events/${p.data.id}`); });
  };
  return { list, graph: box, draw };
}

function timelineChart(rows) {
  const seen = rows.filter((a) => a.first_seen || a.last_seen).slice(0, 300);
  if (!seen.length) return null;
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': 'first_seen and last_seen of the attributes' });
  const data = seen.map((a, i) => {
    const s = Date.parse(a.first_seen || a.last_seen);
    const e = Date.parse(a.last_seen || a.first_seen);
    return { value: [i, s, e], name: `${a.type} ${a.value}` };
  });
  box.style.height = `${Math.min(600, 60 + seen.length * 14)}px`;
  return {
    box,
    draw: () => chart(box, {
      tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT }, formatter: (p) => p.data.name },
      grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: 'time', axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: 'category', data: seen.map((a) => a.value), axisLabel: { color: MUTED, width: 180, overflow: 'truncate', fontSize: 10 }, inverse: true },
      series: [{
        type: 'custom', data,
        renderItem: (params, api2) => {
          const y = api2.value(0);
          const start = api2.coord([api2.value(1), y]);
          const end = api2.coord([api2.value(2), y]);
          const height = Math.max(4, api2.size([0, 1])[1] * 0.5);
          return { type: 'rect', shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 4), height },
            style: { fill: '#3aa0ff' } };
        },
        encode: { x: [1, 2], y: 0 },
      }],
    }),
  };
}

export async function eventPage(ctx, id) {
  const { main } = ctx;
  const r = await api(`/events/view/${id}`);
  if (!ctx.isCurrent()) return;
  const ev = r.Event;
  const reload = () => { main.dataset.ready = ''; window.dispatchEvent(new HashChangeEvent('hashchange')); };
  const rows = flatten(ev);
  const actions = h('div', { class: 'actions' });
  if (mayModify(ev)) actions.append(h('a', { class: 'button', href: `#/events/${ev.id}/edit` }, 'Edit'));
  if (can('perm_publish') && mayModify(ev) && !ev.published) {
    actions.append(h('button', { type: 'button', class: 'primary', id: 'publish',
      onclick: async () => { try { await api(`/events/publish/${ev.id}`, { method: 'POST' }); toast('Published.'); reload(); } catch (e) { toast(e.message, 'error'); } } }, 'Publish'));
  }
  if (mayModify(ev)) {
    actions.append(h('button', { type: 'button', class: 'danger', id: 'delete',
      onclick: async () => {
        if (!window.confirm(`Delete event ${ev.id}?`)) return;
        try { await api(`/events/delete/${ev.id}`, { method: 'POST' }); toast('Deleted.'); go('/events'); } catch (e) { toast(e.message, 'error'); }
      } }, 'Delete'));
  }
  const related = relatedSection(ev);
  const timeline = timelineChart(rows);
  const addSlot = h('div', { id: 'add-attribute' });
  if (can('perm_add') && mayModify(ev)) addSlot.append(await attributeForm(ev, null, reload));
  main.append(h('div', { class: 'page wide' },
    h('div', { class: 'page-head' },
      h('div', {}, h('p', { class: 'crumb' }, link('#/events', 'Events'), ` / ${ev.id}`),
        h('h1', { id: 'event-info' }, ev.info),
        h('div', { class: 'badges' }, threatBadge(ev.threat_level_id),
          ev.published ? h('span', { class: 'badge ok' }, 'published') : h('span', { class: 'badge muted' }, 'unpublished'))),
      actions),
    h('div', { class: 'event-grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Details'), meta(ev)),
      h('section', { class: 'card' }, h('h2', {}, 'Tags'), tagSection(ev, reload),
        h('h2', {}, 'Galaxy clusters'), gallerySection(ev, reload),
        h('h2', {}, 'Sightings'), sightingSummary(rows))),
    h('section', { class: 'card', id: 'attributes' }, h('h2', {}, `Attributes (${fmtNumber(rows.length)})`),
      attributeTable(ev, rows, reload), addSlot),
    h('div', { class: 'event-grid' },
      h('section', { class: 'card', id: 'related' }, h('h2', {}, `Related events (${(ev.RelatedEvent || []).length})`), related.list),
      h('section', { class: 'card' }, h('h2', {}, 'Correlation graph'), related.graph || h('span', { class: 'muted' }, 'Nothing to draw.'))),
    timeline ? h('section', { class: 'card' }, h('h2', {}, 'First and last seen'), timeline.box) : null));
  if (related.draw) related.draw();
  if (timeline) timeline.draw();
}
