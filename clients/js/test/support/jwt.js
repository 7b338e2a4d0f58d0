// HS256 tokens for the secured tests, as tests/Vapora.Testing/TokenFactory.cs issues them.
import { createHmac, randomBytes } from 'node:crypto';

export const issuer = 'https://issuer.vapora.test';
export const audience = 'vapora';

export class TokenFactory {
  constructor() {
    this.secret = randomBytes(48).toString('base64');
  }

  /** Settings that make a service validate this factory's tokens. */
  serviceSettings() {
    return {
      Auth__Mode: 'jwt',
      Auth__Jwt__Issuer: issuer,
      Auth__Jwt__Audience: audience,
      Auth__Jwt__SigningKey: this.secret,
      Auth__Jwt__ClockSkew: '00:00:00',
    };
  }

  /** @param {{ scope?: string, workflows?: string[], lifetimeSeconds?: number, subject?: string }} [claims] */
  create({ scope, workflows, lifetimeSeconds = 3600, subject = 'js-tester' } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuer, aud: audience, sub: subject, iat: now, nbf: now, exp: now + lifetimeSeconds };
    if (scope) payload.scope = scope;
    if (workflows) payload.workflows = workflows;
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
    // The services use the UTF-8 bytes of the configured key, not its base64 decoding.
    return `${unsigned}.${createHmac('sha256', Buffer.from(this.secret, 'utf8')).update(unsigned).digest('base64url')}`;
  }
}
