import type { ProviderInfo } from '../catalogue/provider-catalogue';
import type { SandboxUser } from '../users/sandbox-user';
import { escapeHtml, page } from './html';

export interface ProviderListView {
  sessionId: string;
  providers: ProviderInfo[];
  connected: SandboxUser[];
  showDisconnect: boolean;
  referenceId: string | null;
  language: string | null;
}

/** Filters the list as the user types; ids and data-testids are stable for browser tests. */
const SEARCH_SCRIPT = `
(function(){
  var input=document.getElementById('provider-search');
  var items=Array.prototype.slice.call(document.querySelectorAll('#provider-list li'));
  var count=document.getElementById('provider-count');var none=document.getElementById('no-results');
  input.addEventListener('input',function(){
    var q=input.value.trim().toLowerCase();var shown=0;
    items.forEach(function(li){
      var match=!q||li.getAttribute('data-name').toLowerCase().indexOf(q)>=0||li.getAttribute('data-provider').toLowerCase().indexOf(q)>=0;
      li.hidden=!match;if(match)shown++;
    });
    count.textContent=String(shown);none.hidden=shown!==0;
  });
})();`;

export function providerListPage(view: ProviderListView): string {
  const base = `/widget/session/${encodeURIComponent(view.sessionId)}`;
  const items = view.providers
    .map((p) => {
      const href = `${base}/${p.sdk ? 'sdk' : 'connect'}/${encodeURIComponent(p.provider)}`;
      return `<li data-provider="${escapeHtml(p.provider)}" data-name="${escapeHtml(p.name)}"><a id="provider-${escapeHtml(p.provider)}" data-testid="provider-${escapeHtml(p.provider)}" href="${href}"><img src="/widget/icons/${escapeHtml(p.provider)}.svg" alt=""><span>${escapeHtml(p.name)}</span>${p.sdk ? '<span class="badge">mobile app</span>' : ''}</a></li>`;
    })
    .join('\n');
  const connected = view.connected
    .map(
      (user) =>
        `<div class="connected" data-testid="connected-${escapeHtml(user.user_id)}">${escapeHtml(user.provider)} connected${
          view.showDisconnect
            ? ` <form method="post" action="${base}/disconnect/${encodeURIComponent(user.user_id)}"><button type="submit" data-testid="disconnect-${escapeHtml(user.user_id)}">Disconnect</button></form>`
            : ''
        }</div>`,
    )
    .join('\n');
  return page(
    'Connect a data source',
    `<h1>Connect a data source</h1>
<p class="sub">Choose the app or wearable to connect${view.referenceId ? ` for <span id="reference-id">${escapeHtml(view.referenceId)}</span>` : ''}.</p>
${connected}
<input type="search" id="provider-search" data-testid="provider-search" placeholder="Search ${view.providers.length} providers" autocomplete="off" aria-label="Search providers">
<p class="sub"><span id="provider-count" data-testid="provider-count">${view.providers.length}</span> providers</p>
<p id="no-results" data-testid="no-results" hidden>No provider matches your search.</p>
<ul id="provider-list" data-testid="provider-list">
${items}
</ul>
<script>${SEARCH_SCRIPT}</script>`,
    view.language,
  );
}

export interface ConsentView {
  provider: ProviderInfo;
  allowAction: string;
  denyAction: string;
  referenceId: string | null;
  language: string | null;
}

/** The provider's login/consent screen. `account` lets a tester reconnect the same provider account. */
export function consentPage(view: ConsentView): string {
  const name = escapeHtml(view.provider.name);
  return page(
    `${view.provider.name}: allow access`,
    `<h1 id="consent-title" data-testid="consent-title">${name} would like to share your data</h1>
<p class="sub">Allow Terra to read your ${escapeHtml(Object.entries(view.provider.types).filter(([, on]) => on).map(([type]) => type).join(', '))} data from ${name}.</p>
<div class="actions">
<form id="allow-form" data-testid="allow-form" method="post" action="${escapeHtml(view.allowAction)}">
<label for="account">${name} account (optional: reuse one to reconnect the same account)</label>
<input type="text" id="account" name="account" data-testid="account" autocomplete="off">
<button type="submit" id="allow" data-testid="allow">Allow</button>
</form>
</div>
<div class="actions">
<form id="deny-form" data-testid="deny-form" method="post" action="${escapeHtml(view.denyAction)}">
<input type="hidden" name="reason" value="access_denied">
<button type="submit" id="deny" data-testid="deny">Deny</button>
</form>
</div>`,
    view.language,
  );
}

/** Terra's own end page, used when the caller gave no redirect URL (terra-contract.md §3.4). */
export function resultPage(outcome: 'success' | 'failure', params: URLSearchParams): string {
  const provider = params.get('resource') ?? 'provider';
  const text = outcome === 'success' ? `${provider} connected. You can close this tab.` : `${provider} was not connected.`;
  return page(
    outcome === 'success' ? 'Connected' : 'Not connected',
    `<h1 id="result" data-testid="result" data-outcome="${outcome}">${escapeHtml(text)}</h1>
<p class="sub">user_id: <code id="result-user-id">${escapeHtml(params.get('user_id') ?? 'null')}</code>, reference_id: <code id="result-reference-id">${escapeHtml(params.get('reference_id') ?? 'null')}</code></p>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1 id="message-title" data-testid="message-title">${escapeHtml(title)}</h1><p class="sub" id="message">${escapeHtml(message)}</p>`);
}
