/** The header's "model …" line: which bundle the server scores with; refreshed after a promote + reload. */
import { api } from './api.js';
import type { ModelResponse } from './types.js';

export async function showServedModel(): Promise<void> {
  const slot = document.getElementById('served-model');
  if (!slot) return;
  try {
    const model = await api<ModelResponse>('/model');
    slot.textContent = `model ${model.model_version}`;
  } catch {
    slot.textContent = 'no model loaded';
  }
}
