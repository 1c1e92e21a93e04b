import { api, setCsrf } from '../api.js';
import { h } from '../dom.js';
import { go, session } from '../app.js';

export function loginPage({ main }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'password' });
  const message = h('div', { class: 'alert error', role: 'alert', id: 'login-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h('form', { class: 'login-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'E-mail'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    message, button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.hidden = true;
    message.classList.remove('locked');
    button.disabled = true;
    try {
      const r = await api('/users/login', { body: { email: email.value, password: password.value } });
      setCsrf(r.Session && r.Session.csrf_token);
      session.user = null;
      go('/');
    } catch (e) {
      // The lockout answer says how long to wait; show it apart from a
      // plain wrong password so it is not mistaken for one.
      const locked = /maximum number of login attempts/i.test(e.message);
      message.textContent = locked ? `Too many failed logins: this account is locked for now. ${e.message}` : e.message;
      if (locked) message.classList.add('locked');
      message.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  main.append(h('div', { class: 'login' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-brand' }, h('img', { src: '/ui/img/cairn.svg', alt: '', width: 40, height: 40 }),
        h('div', {}, h('h1', {}, 'Cairn'), h('p', { class: 'muted' }, 'Threat intelligence sharing'))),
      form)));
  email.focus();
}

export async function logout() {
  try { await api('/users/logout', { method: 'POST' }); } catch (e) { /* the session may be gone already */ }
  setCsrf('');
  session.user = null;
  go('/login');
}
