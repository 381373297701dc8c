import { escapeXml as x } from './xml-text.ts';

/**
 * CSS-only paging: radio inputs before the pages, `:checked ~` shows one page. No script, so it
 * works where a viewer blocks scripts; where styles are blocked too, every page simply shows.
 */
export function pager(id: string, pages: string[], describe: (page: number) => string): string {
  if (pages.length <= 1) return pages[0] ?? '';
  const inputs = pages.map((_, i) => `<input type="radio" name="${x(id)}" id="${x(id)}-${i + 1}"${i === 0 ? ' checked' : ''}>`).join('');
  const labels = pages.map((_, i) => `<label for="${x(id)}-${i + 1}" title="${x(describe(i))}">${i + 1}</label>`).join('');
  const body = pages.map((p, i) => `<div class="page" data-page="${i + 1}">${p}</div>`).join('');
  return `<div class="pager">${inputs}<nav aria-label="pages">page ${labels}</nav>${body}</div>`;
}

/** The rules pager() needs, for up to `maxPages` pages. */
export function pagerCss(maxPages: number): string {
  const rules = [
    '.pager>input{position:absolute;opacity:0;pointer-events:none}',
    '.pager>div.page{display:none}',
    '.pager>nav{margin:.4em 0;display:flex;flex-wrap:wrap;gap:.25em;align-items:center}',
    '.pager>nav label{cursor:pointer;padding:.1em .5em;border:1px solid #ccc;border-radius:3px}',
  ];
  for (let k = 1; k <= maxPages; k++) {
    rules.push(`.pager>input:nth-of-type(${k}):checked~div.page:nth-of-type(${k}){display:block}`);
    rules.push(`.pager>input:nth-of-type(${k}):checked~nav label:nth-of-type(${k}){background:#264653;color:#fff}`);
  }
  return rules.join('\n');
}

/** Splits items into pages of `size`. */
export function paginate<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages;
}
