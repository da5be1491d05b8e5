// The pages. Plain HTML forms; WebAuthn buttons are wired by public/app.js.
import type { StoredCredentialInfo } from 'factorkit';
import { csrfField, Html, html, layout, type Notice, when } from './html.ts';
import type { Session } from './session.ts';
import type { OtpFactorEntry, User } from './users.ts';

export type { Notice } from './html.ts';

export interface AccountData {
  readonly user: User;
  readonly webauthn: readonly StoredCredentialInfo[];
  readonly u2f: readonly StoredCredentialInfo[];
  readonly otp: readonly OtpFactorEntry[];
  readonly yubikeys: readonly {
    readonly id: string;
    readonly profile: { readonly serial: string | null; readonly publicId: string };
    readonly activated: string | null;
    readonly lastVerified: string | null;
  }[];
}

export function signInPage(session: Session, notice?: Notice): string {
  return layout({
    title: 'Sign in',
    page: 'signin',
    csrf: session.csrf,
    ...(notice === undefined ? {} : { notice }),
    body: html`
<section class="card">
  <h2>Passkey or security key</h2>
  <label for="username">Username <small>(leave empty to pick a passkey)</small></label>
  <input id="username" name="username" autocomplete="username webauthn" autocapitalize="none" spellcheck="false">
  <div class="row">
    <button type="button" id="signin-passkey">Sign in with a passkey</button>
    <button type="button" id="signin-key" class="secondary">Sign in with a security key</button>
  </div>
  <p class="hint" id="conditional-status" data-state="off">Passkey autofill: checking…</p>
</section>
<section class="card">
  <h2>Code from an authenticator app or Symantec VIP</h2>
  <form method="post" action="/signin/otp" id="signin-otp">
    ${csrfField(session.csrf)}
    <label for="otp-username">Username</label>
    <input id="otp-username" name="username" autocomplete="username" autocapitalize="none" required>
    <label for="otp-code">Code</label>
    <input id="otp-code" name="passCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6,8}" required>
    <button type="submit">Sign in with a code</button>
  </form>
</section>
<section class="card">
  <h2>YubiKey OTP</h2>
  <form method="post" action="/signin/yubikey" id="signin-yubikey">
    ${csrfField(session.csrf)}
    <label for="yk-username">Username</label>
    <input id="yk-username" name="username" autocomplete="username" autocapitalize="none" required>
    <label for="yk-otp">Touch your YubiKey in this field</label>
    <input id="yk-otp" name="passCode" autocomplete="off" spellcheck="false" required>
    <button type="submit">Sign in with a YubiKey</button>
  </form>
</section>
<p>No account yet? <a href="/signup" id="to-signup">Create one</a>.</p>`,
  });
}

export function signUpPage(session: Session, notice?: Notice): string {
  return layout({
    title: 'Create an account',
    page: 'signup',
    csrf: session.csrf,
    ...(notice === undefined ? {} : { notice }),
    body: html`
<section class="card">
  <p>Your account is protected by a passkey (kept by your device or password manager) or a security key
  (a USB/NFC key). No password.</p>
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>
  <div class="row">
    <button type="button" id="signup-passkey">Create account with a passkey</button>
    <button type="button" id="signup-key" class="secondary">Create account with a security key</button>
  </div>
</section>
<p>Already registered? <a href="/">Sign in</a>.</p>`,
  });
}

const removeForm = (csrf: string, kind: string, id: string, label: string): Html => html`
<form method="post" action="/account/remove" class="inline">
  ${csrfField(csrf)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="id" value="${id}">
  <button type="submit" class="danger" aria-label="Remove ${label}">Remove</button>
</form>`;

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id);

export function accountPage(session: Session, data: AccountData, notice?: Notice): string {
  const csrf = session.csrf;
  const webauthnRows = data.webauthn.map((c) => {
    const synced = c.data['backupEligible'] === true;
    const label = synced ? 'Passkey (synced)' : 'Passkey or security key';
    return html`<tr data-kind="webauthn" data-id="${c.id}">
  <td>${label}</td><td><code>${short(c.id)}</code></td><td class="sign-count">${c.signCount}</td>
  <td>${when(c.createdAt)}</td><td>${when(c.lastUsedAt)}</td><td>${removeForm(csrf, 'webauthn', c.id, label)}</td></tr>`;
  });
  const u2fRows = data.u2f.map(
    (c) => html`<tr data-kind="u2f" data-id="${c.id}">
  <td>Legacy U2F key <small>(appid ${String(c.data['appId'] ?? '')})</small></td><td><code>${short(c.id)}</code></td>
  <td class="sign-count">${c.signCount}</td><td>${when(c.createdAt)}</td><td>${when(c.lastUsedAt)}</td>
  <td>${removeForm(csrf, 'u2f', c.id, 'legacy U2F key')}</td></tr>`,
  );
  const otpRows = data.otp.map(
    (f) => html`<tr data-kind="${f.kind}" data-id="${f.factorId}">
  <td>${f.label}${f.confirmed ? '' : html` <small class="pending">(not confirmed)</small>`}</td><td><code>${short(f.factorId)}</code></td>
  <td>–</td><td>${when(f.createdAt)}</td><td>–</td><td>${removeForm(csrf, f.kind, f.factorId, f.label)}</td></tr>`,
  );
  const ykRows = data.yubikeys.map(
    (t) => html`<tr data-kind="yubikey" data-id="${t.id}">
  <td>YubiKey ${t.profile.serial === null ? '' : html`<small>serial ${t.profile.serial}</small>`}</td><td><code>${t.profile.publicId}</code></td>
  <td>–</td><td>${t.activated ?? ''}</td><td>${t.lastVerified ?? 'never'}</td><td>${removeForm(csrf, 'yubikey', t.id, 'YubiKey')}</td></tr>`,
  );
  const rows = [...webauthnRows, ...u2fRows, ...otpRows, ...ykRows];
  return layout({
    title: 'Your account',
    page: 'account',
    csrf,
    username: data.user.username,
    ...(notice === undefined ? {} : { notice }),
    body: html`
<section class="card">
  <h2>Sign-in factors (${rows.length})</h2>
  <table id="factors">
    <thead><tr><th>Factor</th><th>Id</th><th>Counter</th><th>Added</th><th>Last used</th><th></th></tr></thead>
    <tbody>${rows.length === 0 ? html`<tr><td colspan="6">No factors.</td></tr>` : rows}</tbody>
  </table>
</section>
<section class="card">
  <h2>Add a factor</h2>
  <div class="row">
    <button type="button" id="add-passkey">Add a passkey</button>
    <button type="button" id="add-key" class="secondary">Add a security key</button>
  </div>
  <ul class="links">
    <li><a href="/account/totp" id="to-totp">Authenticator app (TOTP)</a></li>
    <li><a href="/account/vip" id="to-vip">Symantec VIP credential</a></li>
    <li><a href="/account/yubikey" id="to-yubikey">YubiKey OTP</a></li>
    <li><a href="/account/u2f" id="to-u2f">Legacy U2F key (migration)</a></li>
  </ul>
</section>`,
  });
}

const signedInLayout = (session: Session, title: string, page: string, body: Html, notice?: Notice) =>
  layout({
    title,
    page,
    csrf: session.csrf,
    ...(session.username === undefined ? {} : { username: session.username }),
    ...(notice === undefined ? {} : { notice }),
    body: html`${body}<p><a href="/account">Back to your account</a></p>`,
  });

export function totpStartPage(session: Session, notice?: Notice): string {
  return signedInLayout(
    session,
    'Add an authenticator app',
    'totp',
    html`<section class="card"><p>Scan a QR code with Google Authenticator, 1Password, Aegis or any TOTP app,
then type the code it shows to confirm.</p>
<form method="post" action="/account/totp/start" id="totp-start">${csrfField(session.csrf)}<button type="submit">Show the QR code</button></form></section>`,
    notice,
  );
}

export function totpConfirmPage(
  session: Session,
  input: { uri: string; secretBase32: string; qrSvg: string },
  notice?: Notice,
): string {
  return signedInLayout(
    session,
    'Scan this QR code',
    'totp-confirm',
    html`<section class="card">
<figure class="qr" id="totp-qr">${rawSvg(input.qrSvg)}</figure>
<p>Or type this key into the app: <code id="totp-secret">${input.secretBase32.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<p class="hint">This key is shown once and never again.</p>
${confirmForm(session)}
</section>`,
    notice,
  );
}

export function totpRetryPage(session: Session, notice?: Notice): string {
  return signedInLayout(
    session,
    'Confirm your authenticator app',
    'totp-confirm',
    html`<section class="card">${confirmForm(session)}</section>`,
    notice,
  );
}

const confirmForm = (
  session: Session,
): Html => html`<form method="post" action="/account/totp/confirm" id="totp-confirm">
  ${csrfField(session.csrf)}
  <label for="totp-code">Code from the app</label>
  <input id="totp-code" name="passCode" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6,8}" required>
  <button type="submit">Confirm</button>
</form>`;

/** The QR code SVG from factorkit's renderer (generated by us, not user input). */
function rawSvg(svg: string): Html {
  // renderQrCode's SVG contains only <svg>, <path> and attributes it generated.
  return new Html(svg);
}

export function vipPage(session: Session, notice?: Notice): string {
  return signedInLayout(
    session,
    'Add a Symantec VIP credential',
    'vip',
    html`<section class="card"><form method="post" action="/account/vip" id="vip-enroll">
  ${csrfField(session.csrf)}
  <label for="vip-id">Credential ID <small>(printed on the token or shown by the VIP app, e.g. VSMT12345678)</small></label>
  <input id="vip-id" name="credentialId" autocapitalize="characters" required>
  <label for="vip-secret">Shared secret <small>(base32, from your VIP provisioning)</small></label>
  <input id="vip-secret" name="secret" autocomplete="off" spellcheck="false" required>
  <label for="vip-code">Security code</label>
  <input id="vip-code" name="passCode" inputmode="numeric" required>
  <label for="vip-next">Next security code <small>(wait for the next one)</small></label>
  <input id="vip-next" name="nextPassCode" inputmode="numeric" required>
  <button type="submit">Add credential</button>
</form></section>`,
    notice,
  );
}

export function yubikeyPage(session: Session, notice?: Notice): string {
  return signedInLayout(
    session,
    'Add a YubiKey',
    'yubikey',
    html`<section class="card">
<h2>1. Administrator: upload the key's seed</h2>
<p class="hint">As written by the YubiKey Personalization Tool (one row of configuration_log.csv). A real
deployment imports the whole file once; this form exists so the demo works with any key.</p>
<form method="post" action="/account/yubikey/seed" id="yubikey-seed">
  ${csrfField(session.csrf)}
  <label for="yk-serial">Serial number</label><input id="yk-serial" name="serialNumber" inputmode="numeric" required>
  <label for="yk-public">Public id (modhex)</label><input id="yk-public" name="publicId" spellcheck="false" required>
  <label for="yk-private">Private id (12 hex)</label><input id="yk-private" name="privateId" spellcheck="false" required>
  <label for="yk-aes">AES key (32 hex)</label><input id="yk-aes" name="aesKey" spellcheck="false" autocomplete="off" required>
  <button type="submit" class="secondary">Upload seed</button>
</form></section>
<section class="card"><h2>2. Touch the key</h2>
<form method="post" action="/account/yubikey/enroll" id="yubikey-enroll">
  ${csrfField(session.csrf)}
  <label for="yk-enroll-otp">Touch your YubiKey in this field</label>
  <input id="yk-enroll-otp" name="passCode" autocomplete="off" spellcheck="false" required>
  <button type="submit">Add YubiKey</button>
</form></section>`,
    notice,
  );
}

export function u2fPage(session: Session, notice?: Notice, request?: unknown): string {
  return signedInLayout(
    session,
    'Migrate a legacy U2F key',
    'u2f',
    html`<section class="card">
<p>Keys registered years ago through the FIDO U2F JavaScript API keep working: once imported here they sign in
through WebAuthn with the <code>appid</code> extension. Browsers no longer offer <code>u2f.register()</code>,
so this page takes the register response as that API returned it.</p>
${
  request === undefined
    ? html`<form method="post" action="/account/u2f/start" id="u2f-start">${csrfField(session.csrf)}<button type="submit">Get a register request</button></form>`
    : html`<p>Register request (pass it to <code>u2f.register()</code>):</p><pre id="u2f-request">${JSON.stringify(request, null, 2)}</pre>
<form method="post" action="/account/u2f/finish" id="u2f-finish">
  ${csrfField(session.csrf)}
  <label for="u2f-response">Register response (JSON: registrationData, clientData, version)</label>
  <textarea id="u2f-response" name="response" rows="6" required></textarea>
  <button type="submit">Import key</button>
</form>`
}
</section>`,
    notice,
  );
}

export function errorPage(session: Session | undefined, text: string, code: string): string {
  return layout({
    title: 'Something went wrong',
    page: 'error',
    csrf: session?.csrf ?? '',
    notice: { kind: 'error', text, code },
    body: html`<p><a href="/">Back to the start page</a></p>`,
  });
}

export function notFoundPage(): string {
  return layout({
    title: 'Not found',
    page: 'error',
    csrf: '',
    body: html`<p>There is no page here. <a href="/">Back to the start page</a></p>`,
  });
}
