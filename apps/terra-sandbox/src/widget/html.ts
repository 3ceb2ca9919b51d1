/** Escapes text and attribute values for the widget's hand-written HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f4f5f7;color:#1d2433}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:12px;padding:24px 28px;box-shadow:0 2px 12px #0001}
h1{font-size:1.35rem;margin:0 0 4px}p.sub{color:#5b6478;margin:0 0 16px}
input[type=search],input[type=text]{width:100%;box-sizing:border-box;padding:10px 12px;border:1px solid #c9cfdb;border-radius:8px;font-size:1rem}
ul{list-style:none;padding:0;margin:12px 0 0;max-height:60vh;overflow:auto}
li a{display:flex;align-items:center;gap:12px;padding:8px;border-radius:8px;color:inherit;text-decoration:none}
li a:hover{background:#eef1f6}li img{width:32px;height:32px}
.badge{font-size:.75rem;color:#5b6478;margin-left:auto}
.actions{display:flex;gap:12px;margin-top:20px}.actions form{flex:1}
button{width:100%;padding:12px;border:0;border-radius:8px;font-size:1rem;cursor:pointer}
#allow{background:#1f6feb;color:#fff}#deny{background:#e6e8ee;color:#1d2433}
.connected{background:#eef8f0;border-radius:8px;padding:8px 12px;margin-bottom:12px}
.connected form{display:inline}.connected button{width:auto;padding:4px 10px;font-size:.8rem}
label{display:block;font-size:.85rem;color:#5b6478;margin:16px 0 6px}
footer{font-size:.75rem;color:#8a93a6;margin-top:20px}
`;

export function page(title: string, body: string, language: string | null = null): string {
  return `<!doctype html>
<html lang="${escapeHtml(language ?? 'en')}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}<footer>Terra sandbox: an offline stand-in for Terra's widget. No real provider is contacted.</footer></main></body>
</html>`;
}

/** A generated logo: the provider's initials on a colour derived from its name. */
export function providerIcon(provider: string, name: string): string {
  let hash = 0;
  for (const ch of provider) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const initials = escapeHtml(name.replace(/[^A-Za-z0-9 ]/g, '').split(/\s+/).map((word) => word[0] ?? '').join('').slice(0, 2).toUpperCase() || '?');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><circle cx="32" cy="32" r="32" fill="hsl(${hash % 360},55%,45%)"/><text x="32" y="40" font-family="sans-serif" font-size="24" font-weight="600" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
}
