// Browsing the reference data (tags, taxonomies, galaxies and their
// clusters, warninglists) and, for admins, organisations, users, roles
// and sharing groups.  Each list filters as one types.
import { api } from '../api.js';
import { h, clear, fmtNumber, fmtTime, link, table, tagChip } from '../dom.js';
import { can } from '../app.js';

const LIST_MAX = 500;

function listPage(main, title, rows, columns, text, extra) {
  const holder = h('div', {});
  const q = h('input', { type: 'search', id: 'list-filter', placeholder: 'Filter', 'aria-label': `Filter ${title}` });
  const draw = () => {
    const t = q.value.toLowerCase();
    const shown = t ? rows.filter((r) => text(r).toLowerCase().includes(t)) : rows;
    const cut = shown.length > LIST_MAX ? `, the first ${fmtNumber(LIST_MAX)} listed: filter to narrow` : '';
    clear(holder).append(h('p', { class: 'muted', id: 'list-count' }, `${fmtNumber(shown.length)} of ${fmtNumber(rows.length)}${cut}`),
      table(columns, shown.slice(0, LIST_MAX)));
  };
  q.addEventListener('input', draw);
  draw();
  main.append(h('div', { class: 'page wide' }, adminTabs(title), h('div', { class: 'page-head' }, h('h1', {}, title), q), extra || null, holder));
}

function adminTabs(title) {
  const tabs = [['#/admin/organisations', 'Organisations'], ['#/admin/users', 'Users'], ['#/admin/roles', 'Roles'], ['#/admin/sharing_groups', 'Sharing groups']];
  if (!tabs.some(([, t]) => t === title)) return null;
  return h('nav', { class: 'tabs', 'aria-label': 'Administration' },
    tabs.map(([href, t]) => h('a', { href, 'aria-current': t === title ? 'page' : null }, t)));
}

const yes = (v) => (v ? h('span', { class: 'badge ok' }, 'yes') : h('span', { class: 'badge muted' }, 'no'));

export async function tagsPage({ main }) {
  const r = await api('/tags/index');
  const rows = r.Tag || [];
  listPage(main, 'Tags', rows, [
    { label: 'Tag', cell: (t) => tagChip(t, `#/events?tag=${encodeURIComponent(t.name)}`) },
    { label: 'Colour', class: 'mono muted', cell: (t) => t.colour },
    { label: 'Galaxy', cell: (t) => yes(t.is_galaxy) },
    { label: 'Exportable', cell: (t) => yes(t.exportable) },
  ], (t) => t.name);
}

export async function taxonomiesPage({ main }) {
  const rows = await api('/taxonomies/index');
  listPage(main, 'Taxonomies', rows, [
    { label: 'Namespace', cell: (r) => link(`#/taxonomies/${r.Taxonomy.id}`, r.Taxonomy.namespace) },
    { label: 'Description', class: 'wrap', cell: (r) => r.Taxonomy.description },
    { label: 'Version', class: 'num', cell: (r) => r.Taxonomy.version },
    { label: 'Enabled', cell: (r) => yes(r.Taxonomy.enabled) },
    { label: 'Tags', class: 'num', cell: (r) => `${fmtNumber(r.current_count)} / ${fmtNumber(r.total_count)}` },
  ], (r) => `${r.Taxonomy.namespace} ${r.Taxonomy.description}`);
}

export async function taxonomyPage({ main }, id) {
  const r = await api(`/taxonomies/view/${id}`);
  listPage(main, `Taxonomy ${r.Taxonomy.namespace}`, r.entries || [], [
    { label: 'Tag', cell: (e) => tagChip({ name: e.tag, colour: e.colour }, `#/events?tag=${encodeURIComponent(e.tag)}`) },
    { label: 'Expanded', class: 'wrap', cell: (e) => e.expanded },
    { label: 'Description', class: 'wrap', cell: (e) => e.description || '' },
    { label: 'Events', class: 'num', cell: (e) => (e.events !== undefined ? fmtNumber(e.events) : '') },
  ], (e) => `${e.tag} ${e.expanded} ${e.description || ''}`,
  h('p', { class: 'wrap' }, r.Taxonomy.description));
}

export async function galaxiesPage({ main }) {
  const rows = await api('/galaxies/index');
  listPage(main, 'Galaxies', rows, [
    { label: 'Name', cell: (r) => link(`#/galaxies/${r.Galaxy.id}`, r.Galaxy.name) },
    { label: 'Type', class: 'mono', cell: (r) => r.Galaxy.type },
    { label: 'Namespace', cell: (r) => r.Galaxy.namespace },
    { label: 'Description', class: 'wrap', cell: (r) => r.Galaxy.description },
  ], (r) => `${r.Galaxy.name} ${r.Galaxy.type} ${r.Galaxy.description}`);
}

export async function galaxyPage({ main }, id) {
  const [g, clusters] = await Promise.all([api(`/galaxies/view/${id}`), api(`/galaxy_clusters/index/${id}`)]);
  listPage(main, `Galaxy ${g.Galaxy.name}`, clusters, [
    { label: 'Cluster', cell: (r) => link(`#/events?tag=${encodeURIComponent(r.GalaxyCluster.tag_name)}`, r.GalaxyCluster.value) },
    { label: 'Synonyms', class: 'wrap muted', cell: (r) => ((r.GalaxyCluster.meta && r.GalaxyCluster.meta.synonyms) || []).join(', ') },
    { label: 'Description', class: 'wrap', cell: (r) => (r.GalaxyCluster.description || '').slice(0, 300) },
  ], (r) => `${r.GalaxyCluster.value} ${((r.GalaxyCluster.meta && r.GalaxyCluster.meta.synonyms) || []).join(' ')}`,
  h('p', { class: 'wrap' }, g.Galaxy.description));
}

export async function warninglistsPage({ main }) {
  const r = await api('/warninglists/index');
  const rows = (r.Warninglists || []).map((w) => w.Warninglist);
  listPage(main, 'Warninglists', rows, [
    { label: 'Name', class: 'wrap', cell: (w) => link(`#/warninglists/${w.id}`, w.name) },
    { label: 'Type', cell: (w) => w.type },
    { label: 'Category', cell: (w) => w.category },
    { label: 'Entries', class: 'num', cell: (w) => fmtNumber(w.warninglist_entry_count) },
    { label: 'Applies to', class: 'wrap muted', cell: (w) => w.valid_attributes },
    { label: 'Enabled', cell: (w) => yes(w.enabled) },
  ], (w) => `${w.name} ${w.description}`);
}

export async function warninglistPage({ main }, id) {
  const r = await api(`/warninglists/view/${id}`);
  const w = r.Warninglist;
  listPage(main, w.name, w.WarninglistEntry || [], [
    { label: 'Entry', class: 'mono wrap', cell: (e) => e.value },
    { label: 'Comment', class: 'wrap muted', cell: (e) => e.comment || '' },
  ], (e) => `${e.value} ${e.comment || ''}`, h('p', { class: 'wrap' }, w.description));
}

function adminOnly(main) {
  if (can('perm_admin')) return false;
  main.append(h('div', { class: 'page' }, h('div', { class: 'alert error' }, 'Only administrators see this page.')));
  return true;
}

export async function orgsPage({ main }) {
  if (adminOnly(main)) return;
  const rows = await api('/organisations/index/scope:all');
  listPage(main, 'Organisations', rows, [
    { label: 'Id', class: 'num', cell: (r) => r.Organisation.id },
    { label: 'Name', cell: (r) => link(`#/events?org=${encodeURIComponent(r.Organisation.name)}`, r.Organisation.name) },
    { label: 'UUID', class: 'mono muted', cell: (r) => r.Organisation.uuid },
    { label: 'Local', cell: (r) => yes(r.Organisation.local) },
    { label: 'Sector', cell: (r) => r.Organisation.sector },
    { label: 'Nationality', cell: (r) => r.Organisation.nationality },
  ], (r) => `${r.Organisation.name} ${r.Organisation.uuid}`);
}

export async function usersPage({ main }) {
  if (adminOnly(main)) return;
  const rows = await api('/admin/users/index');
  listPage(main, 'Users', rows, [
    { label: 'Id', class: 'num', cell: (r) => r.User.id },
    { label: 'E-mail', cell: (r) => r.User.email },
    { label: 'Organisation', cell: (r) => (r.Organisation && r.Organisation.name) || r.User.org_id },
    { label: 'Role', cell: (r) => (r.Role && r.Role.name) || r.User.role_id },
    { label: 'Last login', class: 'nowrap', cell: (r) => fmtTime(r.User.current_login) },
    { label: 'Disabled', cell: (r) => yes(r.User.disabled) },
  ], (r) => `${r.User.email} ${(r.Organisation && r.Organisation.name) || ''}`);
}

export async function rolesPage({ main }) {
  if (adminOnly(main)) return;
  const rows = await api('/roles/index');
  const perms = ['perm_add', 'perm_modify', 'perm_publish', 'perm_tagger', 'perm_sharing_group', 'perm_admin', 'perm_site_admin'];
  listPage(main, 'Roles', rows, [
    { label: 'Id', class: 'num', cell: (r) => r.Role.id },
    { label: 'Name', cell: (r) => r.Role.name },
    ...perms.map((p) => ({ label: p.replace('perm_', '').replace('_', ' '), cell: (r) => yes(r.Role[p]) })),
  ], (r) => r.Role.name);
}

export async function sharingGroupsPage({ main }) {
  if (adminOnly(main)) return;
  const r = await api('/sharing_groups/index');
  listPage(main, 'Sharing groups', r.response || [], [
    { label: 'Id', class: 'num', cell: (s) => s.SharingGroup.id },
    { label: 'Name', cell: (s) => s.SharingGroup.name },
    { label: 'Owner', cell: (s) => (s.Organisation && s.Organisation.name) || '' },
    { label: 'Releasability', class: 'wrap', cell: (s) => s.SharingGroup.releasability },
    { label: 'Organisations', class: 'num', cell: (s) => fmtNumber((s.SharingGroupOrg || []).length) },
    { label: 'Active', cell: (s) => yes(s.SharingGroup.active) },
  ], (s) => `${s.SharingGroup.name} ${s.SharingGroup.releasability}`);
}
