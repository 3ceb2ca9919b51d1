/** An HTML page as a browser holds it: where it was loaded from, and its markup. */
export interface LoadedPage {
  url: URL;
  status: number;
  html: string;
}

/** Where a submitted form sent the browser (the 303 Location) and the page found there. */
export interface FormOutcome {
  status: number;
  location: URL;
  landing: LoadedPage;
}

/**
 * Plays a browser over plain HTTP: loads pages following redirects, follows links by element id, and submits
 * forms with their own fields (urlencoded, as an HTML form posts). No JavaScript: the widget works without it.
 */
export const httpBrowser = {
  async open(url: string | URL): Promise<LoadedPage> {
    const response = await fetch(url, { redirect: 'follow', headers: { accept: 'text/html' } });
    return { url: new URL(response.url), status: response.status, html: await response.text() };
  },

  /** Clicks `<a id="...">` on the page. */
  async followLink(page: LoadedPage, linkId: string): Promise<LoadedPage> {
    const anchor = new RegExp(`<a\\b[^>]*\\bid="${escapeRegExp(linkId)}"[^>]*>`).exec(page.html);
    const href = anchor && attribute(anchor[0], 'href');
    if (!href) throw new Error(`no link #${linkId} on ${page.url} (status ${page.status})`);
    return httpBrowser.open(new URL(decodeEntities(href), page.url));
  },

  /**
   * Submits `<form id="...">` with its inputs' values (text inputs overridable via `fields`), without
   * following the redirect so the caller sees where it points, then loads that page.
   */
  async submitForm(page: LoadedPage, formId: string, fields: Record<string, string> = {}): Promise<FormOutcome> {
    const form = new RegExp(`<form\\b[^>]*\\bid="${escapeRegExp(formId)}"[^>]*>([\\s\\S]*?)</form>`).exec(page.html);
    if (!form) throw new Error(`no form #${formId} on ${page.url} (status ${page.status})`);
    const openingTag = /^<form\b[^>]*>/.exec(form[0])?.[0] ?? '';
    const method = (attribute(openingTag, 'method') ?? 'get').toUpperCase();
    const action = new URL(decodeEntities(attribute(openingTag, 'action') ?? page.url.toString()), page.url);
    const values = new URLSearchParams();
    for (const input of form[1].match(/<input\b[^>]*>/g) ?? []) {
      const name = attribute(input, 'name');
      if (name) values.append(name, fields[name] ?? decodeEntities(attribute(input, 'value') ?? ''));
    }
    const response =
      method === 'POST'
        ? await fetch(action, {
            method,
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
            body: values.toString(),
            redirect: 'manual',
          })
        : await fetch(new URL(`?${values}`, action), { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Error(`form #${formId} answered ${response.status} without a redirect: ${await response.text()}`);
    }
    const target = new URL(location, action);
    return { status: response.status, location: target, landing: await httpBrowser.open(target) };
  },
};

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
