/**
 * The web app's entry: a hash router over the four pages (`#/score`, `#/monitoring`, `#/experiments`,
 * `#/models`), with the served model shown in the header. Hash routes need no server fallback: `/ui/` is the
 * only HTML the server serves.
 */
import './styles.css';
import type { PageFactory, Page } from './page.js';
import { experimentsPage } from './pages/experiments.js';
import { modelsPage } from './pages/models.js';
import { monitoringPage } from './pages/monitoring.js';
import { scorePage } from './pages/score.js';
import { showServedModel } from './served-model.js';

const PAGES: Record<string, PageFactory> = {
  score: scorePage,
  monitoring: monitoringPage,
  experiments: experimentsPage,
  models: modelsPage,
};
const DEFAULT_PAGE = 'score';

const main = document.getElementById('main') as HTMLElement;
let current: Page | null = null;

function route(): void {
  const name = window.location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  const key = name in PAGES ? name : DEFAULT_PAGE;
  current?.dispose();
  current = (PAGES[key] as PageFactory)(main);
  document.title = `${current.title} · cardwatch`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    if (link.dataset.page === key) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

window.addEventListener('hashchange', () => {
  route();
  main.focus({ preventScroll: true });
});
route();
void showServedModel();
