// Editing: the event form (new and edit), the attribute form (add and
// edit, with type and category pickers from describeTypes) and the
// import of a MISP JSON file.  Validation errors from the API are shown
// next to the field they name.
import { api, describeTypes } from '../api.js';
import { h, clear, field, select, toast, DISTRIBUTION, THREAT, ANALYSIS, link } from '../dom.js';
import { go } from '../app.js';

// Puts each message of MISP's {"errors": {"field": ["..."]}} under its
// field; a message for no known field goes to `general`.
function showErrors(err, fields, general) {
  Object.values(fields).forEach((f) => {
    f.closest('.field').classList.remove('invalid');
    document.getElementById(`${f.id}-error`).textContent = '';
  });
  general.textContent = '';
  const errors = (err.body && err.body.errors) || {};
  let placed = false;
  for (const [name, list] of Object.entries(errors)) {
    const f = fields[name];
    if (!f) continue;
    f.closest('.field').classList.add('invalid');
    document.getElementById(`${f.id}-error`).textContent = [].concat(list).join(' ');
    f.setAttribute('aria-invalid', 'true');
    placed = true;
  }
  if (!placed) general.textContent = err.message;
}

export async function attributeForm(ev, attr, onSaved) {
  const types = await describeTypes();
  const key = attr ? `a${attr.id}` : 'new';
  const category = select(types.categories.map((c) => [c, c]), attr ? attr.category : 'Network activity');
  const type = h('select', {});
  const value = h('input', { type: 'text', autocomplete: 'off', value: attr ? attr.value : '' });
  const comment = h('input', { type: 'text', value: attr ? attr.comment : '' });
  const toIds = h('input', { type: 'checkbox', checked: attr ? !!attr.to_ids : true });
  const dist = select(Object.entries(DISTRIBUTION).filter(([k]) => k !== '4'), attr ? attr.distribution : '5');
  const fillTypes = () => {
    const list = types.category_type_mappings[category.value] || types.types;
    const keep = type.value || (attr ? attr.type : '');
    clear(type).append(...list.map((t) => h('option', { value: t, selected: t === keep }, t)));
  };
  category.addEventListener('change', fillTypes);
  type.addEventListener('change', () => {
    const d = types.sane_defaults[type.value];
    if (d && !attr) toIds.checked = !!d.to_ids;
  });
  fillTypes();
  const general = h('div', { class: 'field-error', role: 'alert' });
  const fields = { category, type, value, comment, distribution: dist };
  const form = h('form', { class: 'attr-form', dataset: { form: key } },
    h('h3', {}, attr ? 'Edit attribute' : 'Add an attribute'),
    h('div', { class: 'form-row' },
      field('Category', category, `${key}-category`), field('Type', type, `${key}-type`),
      field('Value', value, `${key}-value`), field('Comment', comment, `${key}-comment`),
      field('Distribution', dist, `${key}-distribution`),
      h('div', { class: 'field check' }, h('label', {}, toIds, ' For IDS'))),
    general,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, attr ? 'Save' : 'Add attribute'),
      attr ? h('button', { type: 'button', class: 'ghost', onclick: () => form.closest('tr').remove() }, 'Cancel') : null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { category: category.value, type: type.value, value: value.value, comment: comment.value,
      to_ids: toIds.checked, distribution: dist.value };
    try {
      if (attr) await api(`/attributes/edit/${attr.id}`, { body });
      else await api(`/attributes/add/${ev.id}`, { body });
      toast(attr ? 'Attribute saved.' : 'Attribute added.');
      onSaved();
    } catch (err) {
      showErrors(err, fields, general);
    }
  });
  return form;
}

export async function eventFormPage(ctx, id) {
  const { main } = ctx;
  const ev = id ? (await api(`/events/view/${id}`)).Event : null;
  if (!ctx.isCurrent()) return;
  const info = h('input', { type: 'text', value: ev ? ev.info : '', required: true });
  const date = h('input', { type: 'date', value: ev ? ev.date : new Date().toISOString().slice(0, 10) });
  const threat = select(Object.entries(THREAT), ev ? ev.threat_level_id : '4');
  const analysis = select(Object.entries(ANALYSIS), ev ? ev.analysis : '0');
  const dist = select(Object.entries(DISTRIBUTION).filter(([k]) => k !== '4' && k !== '5'), ev ? ev.distribution : '0');
  const general = h('div', { class: 'field-error', role: 'alert' });
  const fields = { info, date, threat_level_id: threat, analysis, distribution: dist };
  const form = h('form', { class: 'card form' },
    field('Event info', info, 'event-info-input'), field('Date', date, 'event-date'),
    h('div', { class: 'form-row' }, field('Threat level', threat, 'event-threat'), field('Analysis', analysis, 'event-analysis'),
      field('Distribution', dist, 'event-distribution')),
    general,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, ev ? 'Save' : 'Create event'),
      link(ev ? `#/events/${ev.id}` : '#/events', 'Cancel', { class: 'button ghost' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { Event: { info: info.value, date: date.value, threat_level_id: threat.value, analysis: analysis.value, distribution: dist.value } };
    try {
      const r = ev ? await api(`/events/edit/${ev.id}`, { body }) : await api('/events/add', { body });
      toast(ev ? 'Event saved.' : 'Event created.');
      go(`/events/${r.Event.id}`);
    } catch (err) {
      showErrors(err, fields, general);
    }
  });
  main.append(h('div', { class: 'page narrow' }, h('h1', {}, ev ? `Edit event ${ev.id}` : 'New event'), form));
}

// events/add rejects an event whose UUID is stored already with a 404 and
// the stored event's address in Location; the page links to it.
function importError(err) {
  const stored = /^\/events\/(\d+)$/.exec(err.headers.get('Location') || '');
  if (err.status === 404 && stored && stored[1] !== '0') {
    return h('div', { class: 'alert error' }, 'An event with this UUID is stored already: ',
      link(`#/events/${stored[1]}`, `open event ${stored[1]}`), '. Edit it there instead.');
  }
  return h('div', { class: 'alert error' }, err.message);
}

export function importPage({ main }) {
  const file = h('input', { type: 'file', accept: '.json,application/json', id: 'import-file' });
  const out = h('div', { role: 'status', id: 'import-result' });
  const form = h('form', { class: 'card form' },
    h('p', {}, 'Upload a MISP event as JSON ({"Event": {...}}, as MISP exports it). The event keeps its UUID; its attributes are checked as on any other add.'),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, 'MISP JSON file'), file),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Import')), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    if (!file.files.length) { out.append(h('div', { class: 'alert error' }, 'Choose a file first.')); return; }
    try {
      const text = await file.files[0].text();
      const r = await api('/events/add', { body: text });
      out.append(h('div', { class: 'alert ok' }, 'Imported: ', link(`#/events/${r.Event.id}`, r.Event.info)));
    } catch (err) {
      out.append(importError(err));
    }
  });
  main.append(h('div', { class: 'page narrow' }, h('h1', {}, 'Import a MISP event'), form));
}
