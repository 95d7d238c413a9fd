/**
 * Secrets are redacted by construction: every token or password Sluice reads is registered here
 * once, and every line that leaves the process (logs, errors, reports, stored JSON) goes through
 * `scrub`. URLs with credentials are printed with the password replaced.
 */
const secrets = new Set<string>();

/** Remember a secret so that `scrub` removes it everywhere. Short values (< 4 chars) are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Forget all registered secrets (tests). */
export function clearSecrets(): void {
  secrets.clear();
}

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]*)@/gi;

/** Redact the password part of every `scheme://user:pass@host` in `text`. */
export function redactUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/** Remove every registered secret and URL password from `text`. */
export function scrub(text: string): string {
  let out = redactUrls(text);
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out;
}
