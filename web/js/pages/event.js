// The event view: metadata, tags, clusters, a paged and filtered table of
// attributes (objects' attributes included), sightings, related events
// with their graph, and the first_seen / last_seen timeline.
import { api } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, table, tagChip, threatBadge, toast, ANALYSIS, DISTRIBUTION, THREAT_COLOUR } from '../dom.js';
import { chart, LINE, MUTED, TEXT } from '../charts.js';
import { go, can, session } from '../app.js';
import { attributeForm } from './edit.js';
import { attributeTable } from './event_attributes.js';
import { tagNameList } from '../tag_names.js';

// An imported event can be published with no publish_timestamp.
function publishedText(ev) {
  if (!ev.published) return 'no';
  return Number(ev.publish_timestamp) ? `yes, ${fmtTime(ev.publish_timestamp)}` : 'yes';
}

function meta(ev) {
  const item = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  return h('dl', { class: 'meta' },
    item('Id', ev.id), item('UUID', h('span', { class: 'mono' }, ev.uuid)), item('Date', ev.date),
    item('Creator', (ev.Orgc && ev.Orgc.name) || ''), item('Owner', (ev.Org && ev.Org.name) || ''),
    item('Distribution', DISTRIBUTION[ev.distribution] || ev.distribution),
    item('Analysis', ANALYSIS[ev.analysis] || ev.analysis),
    item('Attributes', fmtNumber(ev.attribute_count)), item('Last change', fmtTime(ev.timestamp)),
    item('Published', publishedText(ev)));
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
  const input = h('input', { type: 'text', id: 'tag-input', placeholder: 'tlp:amber, a taxonomy tag…', 'aria-label': 'Tag to add' });
  const names = tagNameList(input, 'tag-names');
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

const SIGHTING_KINDS = [[0, 'sightings'], [1, 'false positives'], [2, 'expirations']];

// The number of the event's sightings of one kind (0 sighting, 1 false
// positive, 2 expiration), from X-Result-Count.
async function sightingCount(eventId, type) {
  const res = await api('/sightings/restSearch', { body: { eventid: eventId, type, limit: 1 }, raw: true });
  return Number(res.headers.get('X-Result-Count')) || 0;
}

// The sighting recorded last: sightings/restSearch lists them in the
// order they were stored, so it is the only row of the last page of one.
async function lastSighting(eventId, total) {
  const r = await api('/sightings/restSearch', { body: { eventid: eventId, limit: 1, page: total } });
  const row = r && r.response && r.response[0];
  return row ? row.Sighting || row : null;
}

async function sightingSummary(eventId) {
  const counts = await Promise.all(SIGHTING_KINDS.map(([type]) => sightingCount(eventId, type)));
  const total = counts.reduce((x, y) => x + y, 0);
  if (!total) return h('span', { class: 'muted', id: 'sightings' }, 'No sightings.');
  const last = await lastSighting(eventId, total);
  return h('div', { class: 'sighting-summary', id: 'sightings' },
    SIGHTING_KINDS.map(([type, label], i) => h('span', { class: `badge sighting-${type}`, dataset: { kind: type } }, `${fmtNumber(counts[i])} ${label}`)),
    last ? h('span', { class: 'muted' }, `last recorded ${fmtTime(last.date_sighting)}`) : null);
}
const GRAPH_MAX = 60;

function relatedSection(ev) {
  const rel = (ev.RelatedEvent || []).map((r) => r.Event || r);
  if (!rel.length) return { list: h('span', { class: 'muted' }, 'No correlations with other events.'), graph: null };
  const list = table([
    { label: 'Date', class: 'nowrap', cell: (r) => r.date },
    { label: 'Event', class: 'wrap', cell: (r) => link(`#/events/${r.id}`, r.info, { class: 'related-link' }) },
    { label: 'Org', cell: (r) => (r.Orgc && r.Orgc.name) || '' },
  ], rel.slice(0, 100));
  list.classList.add('scroll-y');
  const box = h('div', { class: 'chart tall', id: 'correlation-graph', role: 'img', 'aria-label': 'Correlation graph of this event and its related events' });
  // This event in the middle and its related events on a ring around it,
  // in date order and in the colour of their threat level.  ECharts
  // stretches a fixed layout to fill the box, so the ring takes the box's
  // proportions and the nodes stay round.
  const draw = () => {
    const ring = rel.slice(0, GRAPH_MAX).sort((x, y) => String(x.date).localeCompare(String(y.date)));
    const rx = box.clientWidth / 2 || 200;
    const ry = box.clientHeight / 2 || 150;
    const nodes = [{ id: String(ev.id), name: ev.info, x: 0, y: 0, symbolSize: 34,
      itemStyle: { color: THREAT_COLOUR[ev.threat_level_id] || MUTED }, label: { show: true } }];
    ring.forEach((r, i) => {
      const angle = (2 * Math.PI * i) / ring.length - Math.PI / 2;
      nodes.push({ id: String(r.id), name: `${r.date} ${r.info}`, x: Math.cos(angle) * rx, y: Math.sin(angle) * ry,
        symbolSize: 16, itemStyle: { color: THREAT_COLOUR[r.threat_level_id] || MUTED } });
    });
    const links = ring.map((r) => ({ source: String(ev.id), target: String(r.id) }));
    chart(box, {
      tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT }, formatter: (p) => p.data.name || '' },
      series: [{ type: 'graph', layout: 'none', roam: true, data: nodes, links, top: 24, bottom: 24, left: 24, right: 24,
        lineStyle: { color: MUTED, opacity: 0.5 }, emphasis: { focus: 'adjacency', label: { show: true } },
        label: { color: TEXT, fontSize: 10, width: 160, overflow: 'truncate', position: 'right' } }],
    }, (p) => { if (p.dataType === 'node' && p.data.id !== String(ev.id)) go(`/events/${p.data.id}`); });
  };
  return { list, graph: box, draw };
}

const SEEN_MAX = 300;
const SEEN_ROWS_SHOWN = 30;
const SEEN_CHART_MAX_PX = 480;

// The attributes that have a first_seen or a last_seen, at most SEEN_MAX
// of them in id order.  restSearch ANDs its filters, so the two bounds
// are requested separately and merged.  Returns {rows, more}, more being true
// when some were left out.
async function seenAttributes(eventId) {
  const read = async (bound) => {
    const res = await api('/attributes/restSearch', {
      body: { eventid: eventId, limit: SEEN_MAX, page: 1, returnFormat: 'json', ...bound }, raw: true });
    const body = await res.json();
    return { total: Number(res.headers.get('X-Result-Count')) || 0, rows: body.response.Attribute };
  };
  const [first, last] = await Promise.all([read({ first_seen: '1970-01-01T00:00:00Z' }),
    read({ last_seen: '9999-12-31T23:59:59Z' })]);
  const byId = new Map([...first.rows, ...last.rows].map((a) => [Number(a.id), a]));
  const rows = [...byId.keys()].sort((x, y) => x - y).slice(0, SEEN_MAX).map((id) => byId.get(id));
  return { rows, more: first.total > SEEN_MAX || last.total > SEEN_MAX || byId.size > SEEN_MAX };
}

function timelineChart(seen) {
  if (!seen.rows.length) return null;
  const rows = seen.rows;
  const box = h('div', { class: 'chart', id: 'seen-chart', role: 'img', 'aria-label': 'first_seen and last_seen of the attributes' });
  const data = rows.map((a, i) => {
    const s = Date.parse(a.first_seen || a.last_seen);
    const e = Date.parse(a.last_seen || a.first_seen);
    return { value: [i, s, e], name: `${a.type} ${a.value}` };
  });
  box.style.height = `${Math.min(SEEN_CHART_MAX_PX, 60 + rows.length * 14)}px`;
  const note = h('p', { class: 'muted note' }, seen.more
    ? `The first ${fmtNumber(rows.length)} attributes with a first_seen or last_seen.`
    : `${fmtNumber(rows.length)} attributes with a first_seen or last_seen.`);
  return {
    el: h('div', {}, box, note),
    draw: () => chart(box, {
      tooltip: { renderMode: 'richText', backgroundColor: '#0f1727', borderColor: LINE, textStyle: { color: TEXT }, formatter: (p) => p.data.name },
      grid: { left: 8, right: 28, top: 8, bottom: 24, containLabel: true },
      // Past SEEN_ROWS_SHOWN rows the chart scrolls, so each label stays
      // readable.
      dataZoom: rows.length > SEEN_ROWS_SHOWN ? [
        { type: 'slider', yAxisIndex: 0, startValue: 0, endValue: SEEN_ROWS_SHOWN - 1, right: 4, width: 14,
          showDetail: false, borderColor: LINE, brushSelect: false },
        { type: 'inside', yAxisIndex: 0, zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false },
      ] : [],
      xAxis: { type: 'time', axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: 'category', data: rows.map((a) => a.value), axisLabel: { color: MUTED, width: 180, overflow: 'truncate', fontSize: 10 }, inverse: true },
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
function eventActions(ev, reload) {
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
  return actions;
}

// The event's metadata, tags, clusters and correlations come from
// events/view with metadata:1, which leaves out attributes and objects.
// The attribute table, the sightings and the timeline read only what
// they show, so the page stays light on an event of any size.
export async function eventPage(ctx, id) {
  const { main, params } = ctx;
  const ev = (await api(`/events/view/${id}/metadata:1`)).Event;
  if (!ctx.isCurrent()) return;
  const reload = () => { main.dataset.ready = ''; window.dispatchEvent(new HashChangeEvent('hashchange')); };
  const [attributes, sightings, seen] = await Promise.all([attributeTable(ev, params, mayModify(ev), reload),
    sightingSummary(ev.id), seenAttributes(ev.id)]);
  const addSlot = h('div', { id: 'add-attribute' });
  if (can('perm_add') && mayModify(ev)) addSlot.append(await attributeForm(ev, null, reload));
  await attributes.ready;
  if (!ctx.isCurrent()) return;
  const related = relatedSection(ev);
  const timeline = timelineChart(seen);
  main.append(h('div', { class: 'page wide' },
    h('div', { class: 'page-head' },
      h('div', {}, h('p', { class: 'crumb' }, link('#/events', 'Events'), ` / ${ev.id}`),
        h('h1', { id: 'event-info' }, ev.info),
        h('div', { class: 'badges' }, threatBadge(ev.threat_level_id),
          ev.published ? h('span', { class: 'badge ok' }, 'published') : h('span', { class: 'badge muted' }, 'unpublished'))),
      eventActions(ev, reload)),
    h('div', { class: 'event-grid' },
      h('section', { class: 'card' }, h('h2', {}, 'Details'), meta(ev)),
      h('section', { class: 'card' }, h('h2', {}, 'Tags'), tagSection(ev, reload),
        h('h2', {}, 'Galaxy clusters'), gallerySection(ev, reload),
        h('h2', {}, 'Sightings'), sightings)),
    h('section', { class: 'card', id: 'attributes' }, h('h2', {}, `Attributes (${fmtNumber(ev.attribute_count)})`),
      attributes.el, addSlot),
    h('div', { class: 'event-grid' },
      h('section', { class: 'card', id: 'related' }, h('h2', {}, `Related events (${(ev.RelatedEvent || []).length})`), related.list),
      h('section', { class: 'card' }, h('h2', {}, 'Correlation graph'), related.graph || h('span', { class: 'muted' }, 'Nothing to draw.'))),
    h('section', { class: 'card', id: 'seen' }, h('h2', {}, 'First and last seen'),
      timeline ? timeline.el : h('span', { class: 'muted' }, 'No attribute has a first_seen or last_seen.'))));
  if (related.draw) related.draw();
  if (timeline) timeline.draw();
}
