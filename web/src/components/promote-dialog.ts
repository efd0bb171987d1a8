/**
 * The promote confirmation: a native modal <dialog> (focus stays inside, Escape cancels) asking for the alias,
 * the admin key, and whether to switch the running server over now. The key lives only in this page's memory.
 */
import { api, ApiError, describeFailure } from '../api.js';
import { h, uid } from '../dom.js';
import type { PromoteRequest, PromoteResponse, ReloadResponse } from '../types.js';

let rememberedKey = '';

export interface PromoteOutcome {
  readonly promoted: PromoteResponse;
  readonly reloaded: ReloadResponse | null;
}

function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 404 && error.code === 'ROUTE_NOT_FOUND') {
    return 'Admin routes are off on this server: start it with CARDWATCH_ADMIN_KEY set to use them.';
  }
  return describeFailure(error);
}

/** Opens the dialog for bundle `id`; resolves with what was done, or null when cancelled. */
export function promoteDialog(id: string): Promise<PromoteOutcome | null> {
  const aliasId = uid('alias');
  const keyId = uid('key');
  const reloadId = uid('reload');
  const alias = h('input', {
    id: aliasId,
    type: 'text',
    value: 'production',
    required: true,
    autocomplete: 'off',
  });
  const key = h('input', {
    id: keyId,
    type: 'password',
    value: rememberedKey,
    autocomplete: 'off',
    required: true,
  });
  const reload = h('input', { id: reloadId, type: 'checkbox', checked: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'primary danger' }, 'Promote');
  const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', { id: `${aliasId}-title` }, 'Promote model'),
    h(
      'p',
      {},
      'Point an alias at ',
      h('code', {}, id),
      '. Clients of that alias get this model after a reload.',
    ),
    h('div', { class: 'field' }, h('label', { for: aliasId }, 'Alias'), alias),
    h('div', { class: 'field' }, h('label', { for: keyId }, 'Admin API key'), key),
    h(
      'div',
      { class: 'check' },
      reload,
      h('label', { for: reloadId }, 'Switch this server to the promoted model now (POST /admin/reload)'),
    ),
    error,
    h('div', { class: 'actions' }, confirm, cancel),
  );
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${aliasId}-title` }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let outcome: PromoteOutcome | null = null;
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(outcome);
    });
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      if (key.value === '') {
        error.textContent = 'Enter the admin API key (CARDWATCH_ADMIN_KEY of the server).';
        key.focus();
        return;
      }
      confirm.disabled = true;
      const headers = { 'x-api-key': key.value };
      try {
        const body: PromoteRequest = { id, alias: alias.value.trim() };
        const promoted = await api<PromoteResponse>('/admin/promote', { json: body, headers });
        rememberedKey = key.value;
        const reloaded = reload.checked
          ? await api<ReloadResponse>('/admin/reload', { method: 'POST', headers })
          : null;
        outcome = { promoted, reloaded };
        dialog.close();
      } catch (failure) {
        error.textContent = explain(failure);
        confirm.disabled = false;
      }
    });
    dialog.showModal();
    alias.focus();
  });
}
