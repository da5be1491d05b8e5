// The example's only script: wires the WebAuthn buttons to @simplewebauthn/browser
// (served from node_modules as window.SimpleWebAuthnBrowser) and the server's JSON API.

(() => {
  const page = document.body.dataset.page;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const swa = window.SimpleWebAuthnBrowser;
  const notice = document.getElementById('notice');

  function show(kind, text, code) {
    notice.hidden = false;
    notice.className = `notice ${kind}`;
    notice.textContent = '';
    const t = document.createElement('span');
    t.className = 'text';
    t.textContent = text;
    notice.append(t);
    if (code) {
      const c = document.createElement('code');
      c.className = 'code';
      c.textContent = code;
      notice.append(' ', c);
    }
    document.body.dataset.state = kind;
  }

  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    let json;
    try {
      json = await res.json();
    } catch {
      json = { ok: false, message: `The server answered ${res.status}.` };
    }
    return json;
  }

  /** The browser refused or the user cancelled: a readable line, no stack. */
  function browserError(error) {
    const name = error?.name ?? 'Error';
    if (name === 'NotAllowedError') return ['The request was cancelled or timed out in the browser.', name];
    if (name === 'InvalidStateError') return ['This authenticator is already registered.', name];
    if (name === 'SecurityError')
      return ['The browser refused: this page’s address cannot use this site’s passkeys.', name];
    if (name === 'AbortError') return null; // replaced by another request (e.g. autofill)
    return [error?.message || 'The browser could not complete the request.', name];
  }

  async function register(kind, username) {
    show('busy', 'Waiting for your authenticator…');
    const start = await post('/api/webauthn/register/start', { kind, username });
    if (!start.ok) return show('error', start.message, start.code);
    let response;
    try {
      response = await swa.startRegistration({ optionsJSON: start.options });
    } catch (error) {
      const e = browserError(error);
      if (e) show('error', e[0], e[1]);
      return;
    }
    const finish = await post('/api/webauthn/register/finish', { response });
    if (!finish.ok) return show('error', finish.message, finish.code);
    window.location.assign(finish.redirect);
  }

  async function signIn(username, conditional) {
    if (!conditional) show('busy', 'Waiting for your authenticator…');
    const start = await post('/api/webauthn/authenticate/start', { username });
    if (!start.ok) return show('error', start.message, start.code);
    let response;
    try {
      response = await swa.startAuthentication({
        optionsJSON: start.options,
        useBrowserAutofill: conditional,
      });
    } catch (error) {
      const e = browserError(error);
      if (e) show('error', e[0], e[1]);
      return;
    }
    const finish = await post('/api/webauthn/authenticate/finish', { response });
    if (!finish.ok) return show('error', finish.message, finish.code);
    window.location.assign(finish.redirect);
  }

  const on = (id, fn) => document.getElementById(id)?.addEventListener('click', fn);
  const value = (id) => document.getElementById(id)?.value.trim() ?? '';

  if (page === 'signup') {
    on('signup-passkey', () => register('passkey', value('username')));
    on('signup-key', () => register('security-key', value('username')));
  }
  if (page === 'account') {
    on('add-passkey', () => register('passkey'));
    on('add-key', () => register('security-key'));
  }
  if (page === 'signin') {
    on('signin-passkey', () => signIn(''));
    on('signin-key', () => {
      const username = value('username');
      if (username === '')
        return show('error', 'Type your username first, then use your security key.', 'ERR_INPUT');
      return signIn(username);
    });
    // Conditional UI: passkeys offered in the username field's autofill (WebAuthn §5.1.4.1).
    const status = document.getElementById('conditional-status');
    swa.browserSupportsWebAuthnAutofill().then((supported) => {
      status.dataset.state = supported ? 'waiting' : 'unsupported';
      status.textContent = supported
        ? 'Passkey autofill is on: pick a passkey from the username field.'
        : 'This browser does not offer passkeys in autofill.';
      if (supported) signIn('', true);
    });
  }
})();
