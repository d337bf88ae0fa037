import { checkSyncServerUrl } from './sync-url.ts';

// The Content-Security-Policy lives in src/renderer/index.html as a <meta> tag with connect-src 'self' only
// (right for the web build, which the sync server itself serves). The desktop app loads the renderer from
// app://patron/, so its sync server is another origin: app-protocol.ts serves index.html through
// `withSyncOrigin`, which appends the configured server's origin to connect-src and nothing else, and sends
// the same policy as a header plus frame-ancestors (which a <meta> policy cannot carry).

/** A parsed policy: directive name → source list, in order. */
export type CspDirectives = Map<string, string[]>;

// Double-quoted content only: the policy itself is full of single quotes ('self').
const META_RE = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/gi;

/** Parses a serialized policy (`a b; c d`). Directive names are lower-cased; a repeated one keeps the first. */
export function parseCsp(policy: string): CspDirectives {
  const directives: CspDirectives = new Map();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    const key = name.toLowerCase();
    if (!directives.has(key)) directives.set(key, sources);
  }
  return directives;
}

/** Serializes directives back to a policy string. */
export function serializeCsp(directives: CspDirectives): string {
  return [...directives].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/** The policies of every CSP <meta> tag in a document (there must be exactly one). */
export function metaPolicies(html: string): string[] {
  return [...html.matchAll(META_RE)].map((m) => m[1] ?? '');
}

/** The app's page policy with the sync server origin added to connect-src. */
export interface ServedPolicy {
  html: string;
  /** The policy now in the <meta> tag. */
  policy: string;
  /** The same policy plus frame-ancestors 'none', for the Content-Security-Policy response header. */
  headerPolicy: string;
}

/**
 * Rewrites the document's CSP <meta> so connect-src also allows the configured sync server's origin
 * (origin only: scheme, host, port — a checked URL cannot smuggle spaces, quotes or semicolons in). Throws
 * when the document has no single CSP <meta> or no connect-src: serving the app without its policy is never
 * the fallback.
 */
export function withSyncOrigin(html: string, syncServerUrl: string | null): ServedPolicy {
  const policies = metaPolicies(html);
  if (policies.length !== 1 || policies[0] === undefined)
    throw new Error('index.html must carry exactly one CSP <meta>');
  const directives = parseCsp(policies[0]);
  const connect = directives.get('connect-src');
  if (!connect) throw new Error('the CSP has no connect-src');
  if (syncServerUrl !== null) {
    const checked = checkSyncServerUrl(syncServerUrl);
    if (!checked.ok) throw new Error(`refusing sync server URL in CSP: ${checked.reason}`);
    if (!connect.includes(checked.origin)) connect.push(checked.origin);
  }
  const policy = serializeCsp(directives);
  const rewritten = html.replace(META_RE, () => `<meta http-equiv="Content-Security-Policy" content="${policy}" />`);
  return { html: rewritten, policy, headerPolicy: `${policy}; frame-ancestors 'none'` };
}
