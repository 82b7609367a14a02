import type { Sessions } from './sessions.js';
import { PASSWORD } from './sessions.js';

/**
 * Makes sure at least `needed` refresh tokens are unspent, logging in the
 * registered accounts (a few at a time) for any that are missing.
 */
export async function ensureRefreshTokens(gatewayUrl: string, sessions: Sessions, needed: number): Promise<number> {
  let made = 0;
  while (sessions.unspentRefreshTokens < needed) {
    const batch = Math.min(4, needed - sessions.unspentRefreshTokens);
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const response = await fetch(`${gatewayUrl}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: sessions.user(), password: PASSWORD }),
        });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`login for a refresh token answered ${response.status}: ${body}`);
        sessions.add(body);
        made += 1;
      }),
    );
  }
  return made;
}
