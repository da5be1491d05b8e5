// Server-rendered pages: plain HTML with escaping, one small script (public/app.js).

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Marks a string as already-safe HTML. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

/** Tagged template: interpolations are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

export interface Notice {
  readonly kind: 'error' | 'ok';
  readonly text: string;
  readonly code?: string | null;
}

export interface LayoutInput {
  readonly title: string;
  readonly csrf: string;
  readonly username?: string;
  readonly notice?: Notice;
  readonly body: Html;
  /** Page name for app.js (`data-page` on body). */
  readonly page: string;
}

export function layout(input: LayoutInput): string {
  const n = input.notice;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${input.csrf}">
<title>${input.title} · factorkit example</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/vendor/simplewebauthn-browser.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body data-page="${input.page}">
<header>
  <a class="brand" href="/">factorkit example</a>
  ${
    input.username === undefined
      ? html`<nav><a href="/">Sign in</a> <a href="/signup">Create account</a></nav>`
      : html`<nav><span id="whoami">Signed in as <strong>${input.username}</strong></span>
    <a href="/account">Account</a>
    <form method="post" action="/signout" class="inline"><input type="hidden" name="_csrf" value="${input.csrf}"><button type="submit" id="signout">Sign out</button></form></nav>`
  }
</header>
<main>
<h1>${input.title}</h1>
<p id="notice" role="alert" class="${n === undefined ? 'notice' : `notice ${n.kind}`}" ${n === undefined ? html`hidden` : ''}>${
    n === undefined
      ? ''
      : html`<span class="text">${n.text}</span>${n.code ? html` <code class="code">${n.code}</code>` : ''}`
  }</p>
${input.body}
</main>
</body>
</html>
`.value;
}

/** A hidden CSRF field for forms. */
export const csrfField = (csrf: string): Html => html`<input type="hidden" name="_csrf" value="${csrf}">`;

export const when = (t: number | null | undefined): string =>
  t === null || t === undefined ? 'never' : `${new Date(t).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
