/**
 * Registrable domain ("eTLD+1", the AppID spec's "least-specific private label").
 *
 * The exact answer needs the Public Suffix List (PSL). This package takes no PSL dependency:
 * a list bundled in a verification library goes stale silently, and auth servers usually
 * already ship one. Pass your own resolver (`publicSuffix` option), e.g. tldts's
 * `getPublicSuffix` or psl's `get`-based lookup. Without one, {@link builtinPublicSuffix} is
 * used: the longest match in a short list of well-known multi-label suffixes (ICANN second
 * levels such as `co.uk`, and private ones such as `appspot.com`, `github.io`), else the last
 * label. Where the built-in list is incomplete it can only treat an unlisted suffix as a
 * registrable domain, which matters only for AppIDs configured *on* such a suffix (a server
 * misconfiguration) — never for the same-host and exact-list checks, which need no PSL.
 */
export type PublicSuffixResolver = (hostname: string) => string | null | undefined;

const BUILTIN_SUFFIXES: ReadonlySet<string> = new Set([
  // ICANN second levels in wide use.
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'net.uk',
  'sch.uk',
  'nhs.uk',
  'police.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'asn.au',
  'id.au',
  'co.nz',
  'org.nz',
  'net.nz',
  'govt.nz',
  'ac.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'go.jp',
  'ed.jp',
  'com.br',
  'net.br',
  'org.br',
  'gov.br',
  'com.cn',
  'net.cn',
  'org.cn',
  'gov.cn',
  'edu.cn',
  'co.in',
  'net.in',
  'org.in',
  'gov.in',
  'ac.in',
  'co.za',
  'org.za',
  'gov.za',
  'ac.za',
  'com.mx',
  'org.mx',
  'gob.mx',
  'com.tr',
  'org.tr',
  'gov.tr',
  'com.sg',
  'edu.sg',
  'gov.sg',
  'co.kr',
  'or.kr',
  'go.kr',
  'com.tw',
  'org.tw',
  'gov.tw',
  'com.hk',
  'org.hk',
  'gov.hk',
  'co.il',
  'org.il',
  'ac.il',
  'gov.il',
  'com.ar',
  'com.co',
  'com.pe',
  'com.ua',
  'com.pl',
  'co.id',
  'co.th',
  // Private suffixes where unrelated customers share a parent domain.
  'appspot.com',
  'blogspot.com',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'cloudfront.net',
  'azurewebsites.net',
  'cloudapp.net',
  'netlify.app',
  'vercel.app',
  'pages.dev',
  'workers.dev',
  'firebaseapp.com',
  'web.app',
  'amazonaws.com',
  'fly.dev',
  'onrender.com',
  'glitch.me',
]);

/** Built-in resolver: longest listed multi-label suffix, else the last label. */
export function builtinPublicSuffix(hostname: string): string {
  const labels = hostname.toLowerCase().split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const candidate = labels.slice(i).join('.');
    if (BUILTIN_SUFFIXES.has(candidate)) return candidate;
  }
  return labels[labels.length - 1] ?? '';
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The registrable domain of `hostname`: its public suffix plus one label, lowercased.
 * `undefined` for IP literals, single-label hosts (`localhost`) and hosts that are
 * themselves a public suffix: they have no private label to compare.
 */
export function registrableDomain(hostname: string, publicSuffix?: PublicSuffixResolver): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === '' || host.startsWith('[') || IPV4.test(host) || !host.includes('.')) return undefined;
  const suffix = (publicSuffix ?? builtinPublicSuffix)(host)?.toLowerCase();
  if (suffix === undefined || suffix === null || suffix === '' || suffix === host) return undefined;
  if (!host.endsWith(`.${suffix}`)) return undefined;
  const rest = host.slice(0, host.length - suffix.length - 1);
  const label = rest.slice(rest.lastIndexOf('.') + 1);
  return label === '' ? undefined : `${label}.${suffix}`;
}

/** Whether `hostname` is itself a public suffix (so nothing may be scoped to it). */
export function isPublicSuffix(hostname: string, publicSuffix?: PublicSuffixResolver): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  // A single label is a TLD (the PSL's implicit `*` rule), except the loopback name.
  if (!host.includes('.')) return host !== 'localhost' && !host.startsWith('[');
  if (IPV4.test(host)) return false;
  return ((publicSuffix ?? builtinPublicSuffix)(host)?.toLowerCase() ?? host) === host;
}
