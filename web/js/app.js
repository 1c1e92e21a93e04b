// The single page: a hash router (#/events?page=2) over the pages in
// pages/, the top bar, and the session's user.
import { api } from './api.js';
import { h, clear } from './dom.js';
import { disposeAll } from './charts.js';
import { loginPage, logout } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { eventsPage } from './pages/events.js';
import { eventPage } from './pages/event.js';
import { eventFormPage, importPage } from './pages/edit.js';
import { searchPage } from './pages/search.js';
import * as browse from './pages/browse.js';

export const session = { user: null, role: null, org: null };

const routes = [
  [/^\/$/, dashboardPage],
  [/^\/events$/, eventsPage],
  [/^\/events\/new$/, (ctx) => eventFormPage(ctx, null)],
  [/^\/events\/(\d+)\/edit$/, (ctx, id) => eventFormPage(ctx, id)],
  [/^\/events\/(\d+)$/, eventPage],
  [/^\/import$/, importPage],
  [/^\/search$/, searchPage],
  [/^\/tags$/, browse.tagsPage],
  [/^\/taxonomies$/, browse.taxonomiesPage],
  [/^\/taxonomies\/(\d+)$/, browse.taxonomyPage],
  [/^\/galaxies$/, browse.galaxiesPage],
  [/^\/galaxies\/(\d+)$/, browse.galaxyPage],
  [/^\/warninglists$/, browse.warninglistsPage],
  [/^\/warninglists\/(\d+)$/, browse.warninglistPage],
  [/^\/admin\/organisations$/, browse.orgsPage],
  [/^\/admin\/users$/, browse.usersPage],
  [/^\/admin\/roles$/, browse.rolesPage],
  [/^\/admin\/sharing_groups$/, browse.sharingGroupsPage],
];

function notFoundPage({ main }) {
  main.append(h('div', { class: 'page' }, h('h1', {}, 'Page not found'),
    h('p', {}, 'No page has this address. ', h('a', { href: '#/' }, 'Open the dashboard'), '.')));
}

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

// Moves to a page; the filters of a list live in its query string so a
// view can be bookmarked.
export function go(path, params) {
  const q = params ? new URLSearchParams([...params].filter(([, v]) => v !== '' && v != null)).toString() : '';
  location.hash = `#${path}${q ? `?${q}` : ''}`;
}

export function can(perm) {
  const r = session.role || {};
  return !!(r.perm_site_admin || r[perm]);
}

function navItems() {
  const items = [['#/', 'Dashboard'], ['#/events', 'Events'], ['#/search', 'Search'],
    ['#/tags', 'Tags'], ['#/taxonomies', 'Taxonomies'], ['#/galaxies', 'Galaxies'], ['#/warninglists', 'Warninglists']];
  if (can('perm_add')) items.push(['#/import', 'Import']);
  if (can('perm_admin')) items.push(['#/admin/organisations', 'Admin']);
  return items;
}

function renderShell() {
  const top = document.getElementById('top');
  const { path } = parseHash();
  top.hidden = false;
  const nav = clear(document.getElementById('nav'));
  for (const [href, label] of navItems()) {
    const target = href.slice(1);
    const current = target === '/' ? path === '/' : path.startsWith(target.replace(/\/organisations$/, ''));
    nav.append(h('a', { href, 'aria-current': current ? 'page' : null }, label));
  }
  const who = clear(document.getElementById('who'));
  who.append(h('span', { class: 'muted' }, session.user.email),
    h('span', { class: 'org' }, session.org.name),
    h('button', { type: 'button', class: 'ghost', id: 'logout', onclick: logout }, 'Log out'));
}

async function loadSession() {
  try {
    const me = await api('/users/view/me');
    session.user = me.User; session.role = me.Role; session.org = me.Organisation;
    return true;
  } catch (e) {
    session.user = null;
    return false;
  }
}

// After a move to another page, the view starts at its top and the
// keyboard focus at its content, so that Tab goes on from there and a
// screen reader announces it.  A redraw of the same page keeps the
// scroll position, and takes the focus only when the old content held
// it.  The first page of a load leaves the focus alone, so the first Tab
// reaches the skip link.
let shownPath = null;
function placeFocus(main, path) {
  const first = shownPath === null;
  const moved = !first && shownPath !== path;
  shownPath = path;
  if (first) return;
  if (moved) window.scrollTo(0, 0);
  const lost = !document.activeElement || document.activeElement === document.body;
  if (moved || lost) main.focus({ preventScroll: true });
}

let renderId = 0;
async function render() {
  const id = ++renderId;
  const main = document.getElementById('main');
  const { path, params } = parseHash();
  disposeAll();
  if (path === '/login' || !session.user) {
    if (path !== '/login' && !(await loadSession())) { go('/login'); return; }
    if (path === '/login') {
      document.getElementById('top').hidden = true;
      clear(document.getElementById('who'));
      clear(main);
      loginPage({ main, params });
      return;
    }
  }
  renderShell();
  clear(main);
  const route = routes.find(([re]) => re.test(path)) || [/^/, notFoundPage];
  const args = path.match(route[0]).slice(1);
  const ctx = { main, params, isCurrent: () => id === renderId };
  try {
    await route[1](ctx, ...args);
  } catch (e) {
    if (!ctx.isCurrent()) return;
    main.append(h('div', { class: 'page' }, h('div', { class: 'alert error', role: 'alert' }, e.message)));
  }
  // A later move replaced this page while it loaded.
  if (!ctx.isCurrent()) return;
  main.dataset.page = path;
  main.dataset.ready = String(id);
  placeFocus(main, path);
}

// The skip link moves the focus without changing the hash, which names
// the page.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', render);
window.addEventListener('cairn:logged-out', () => { session.user = null; go('/login'); });
render();
