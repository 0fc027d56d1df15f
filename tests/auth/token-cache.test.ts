/**
 * The verified-token cache (src/auth/jwt.ts): a token verified once is served from memory for at
 * most 60 s and never from its `exp` on; only tokens that verified are kept, by their exact text;
 * the cache is bounded; cached principals cannot be changed by whoever holds them. A hit is seen
 * as the very same (frozen) principal object; a new verification gives a new one.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, VerifiedTokenCache } from '../../src/auth/jwt.js';
import type { Principal } from '../../src/auth/principal.js';
import { loadConfig } from '../../src/config/config.js';

const auth = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }).auth;
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

function clock() {
  let now = T0;
  return { now: () => now, set: (ms: number) => (now = ms), advance: (ms: number) => (now += ms) };
}

/** An HS256 token signed with the test secret, issued at T0 (seconds since the epoch). */
function sign(claims: Record<string, unknown>, { expSeconds = 3600, sub = 'pendamping@test' } = {}) {
  const iat = Math.floor(T0 / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expSeconds)
    .sign(new TextEncoder().encode(auth.secret!));
}

const PENDAMPING = { role: 'PENDAMPING', villages: ['33.74.02.1008'] };

describe('verified-token cache', () => {
  it('serves a verified token from the cache, the same frozen principal each time', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now });
    const token = await sign(PENDAMPING);
    const first = await verify(token);
    expect(first).toMatchObject({ role: 'PENDAMPING', villageCodes: ['33.74.02.1008'] });
    c.advance(10_000);
    expect(await verify(token)).toBe(first);
  });

  it('never serves a token from its exp on, even within the TTL', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now });
    const token = await sign(PENDAMPING, { expSeconds: 30 });
    const first = await verify(token);
    c.set(T0 + 29_999);
    expect(await verify(token)).toBe(first);
    c.set(T0 + 30_000);
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    await expect(verify(token)).rejects.toThrow(/expired/);
  });

  it('verifies again after the 60 s TTL', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now });
    const token = await sign(PENDAMPING);
    const first = await verify(token);
    c.set(T0 + 59_999);
    expect(await verify(token)).toBe(first);
    c.set(T0 + 60_000);
    const second = await verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    // The new verification starts a new TTL.
    c.set(T0 + 119_999);
    expect(await verify(token)).toBe(second);
  });

  it('keeps at most maxEntries tokens, evicting the oldest', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now, cache: { ttlMs: 60_000, maxEntries: 3 } });
    const tokens = await Promise.all(['a', 'b', 'c', 'd'].map((sub) => sign(PENDAMPING, { sub: `${sub}@test` })));
    const principals: Principal[] = [];
    for (const token of tokens) principals.push(await verify(token));
    // d pushed out a, the oldest; b, c and d are still served.
    for (const i of [1, 2, 3]) expect(await verify(tokens[i]!)).toBe(principals[i]);
    expect(await verify(tokens[0]!)).not.toBe(principals[0]);
    const cache = new VerifiedTokenCache(60_000, 2, c.now);
    for (const key of ['x', 'y', 'z']) cache.set(key, principals[0]!, T0 + 3_600_000);
    expect(cache.size).toBe(2);
    expect(cache.get('x')).toBeUndefined();
  });

  it('never answers a tampered or forged token from the cache, and caches no failure', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now });
    const token = await sign(PENDAMPING);
    const first = await verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // The same signature over an ADMIN payload, a changed signature, and a token signed with another key.
    const admin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'ADMIN' })).toString('base64url');
    // A character in the middle of the signature (the last one also carries padding bits).
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const forged = await new SignJWT(PENDAMPING).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(auth.issuer).setAudience(auth.audience)
      .setIssuedAt(Math.floor(T0 / 1000)).setExpirationTime(Math.floor(T0 / 1000) + 60).sign(new TextEncoder().encode('not the secret at all, 32 bytes+'));
    for (const bad of [`${header}.${admin}.${signature}`, `${header}.${payload}.${flipped}`, forged]) {
      for (let attempt = 0; attempt < 2; attempt++) await expect(verify(bad)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(await verify(token)).toBe(first);
  });

  it('does not cache a token that is not valid yet or has already expired', async () => {
    const c = clock();
    const verify = createTokenVerifier(auth, { now: c.now });
    const early = await new SignJWT(PENDAMPING).setProtectedHeader({ alg: 'HS256' }).setSubject('early@test').setIssuer(auth.issuer).setAudience(auth.audience)
      .setIssuedAt(Math.floor(T0 / 1000)).setNotBefore(Math.floor(T0 / 1000) + 120).setExpirationTime(Math.floor(T0 / 1000) + 600)
      .sign(new TextEncoder().encode(auth.secret!));
    await expect(verify(early)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    c.set(T0 + 120_000);
    expect(await verify(early)).toMatchObject({ subject: 'early@test' });
    const expired = await sign(PENDAMPING, { expSeconds: 60 });
    c.set(T0 + 61_000);
    await expect(verify(expired)).rejects.toThrow(/expired/);
  });

  it('hands out principals that cannot be changed', async () => {
    const verify = createTokenVerifier(auth, { now: clock().now });
    const token = await sign(PENDAMPING);
    const principal = await verify(token);
    expect(() => {
      (principal as { role: string }).role = 'ADMIN';
    }).toThrow(TypeError);
    expect(() => principal.villageCodes.push('31.72.01.1002')).toThrow(TypeError);
    expect(await verify(token)).toMatchObject({ role: 'PENDAMPING', villageCodes: ['33.74.02.1008'] });
    const planner = await verify(await sign({ role: 'PLANNER', regions: ['33.74'] }, { sub: 'planner@test' }));
    expect(() => planner.regionCodes!.push('32')).toThrow(TypeError);
  });

  it('verifies every time when the cache is off', async () => {
    const verify = createTokenVerifier(auth, { now: clock().now, cache: false });
    const token = await sign(PENDAMPING);
    expect(await verify(token)).not.toBe(await verify(token));
  });
});
