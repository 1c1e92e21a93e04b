// Tag name suggestions for a text input: a datalist of the tags the user
// may read, filled from tags/index the first time the input gets the
// focus.
import { api } from './api.js';
import { h } from './dom.js';

const MAX_NAMES = 2000;

export function tagNameList(input, id) {
  const list = h('datalist', { id });
  input.setAttribute('list', id);
  input.addEventListener('focus', async () => {
    const r = await api('/tags/index');
    (r.Tag || r).slice(0, MAX_NAMES).forEach((t) => list.append(h('option', { value: t.name })));
  }, { once: true });
  return list;
}
