import { MailConfig } from '../mail.config.js';
import { escapeHtml, expiryInWords, MailRenderer } from './mail.renderer.js';

const now = new Date('2026-01-01T10:00:00Z');
const config = Object.assign(new MailConfig(), { GATEWAY_PORT: 3000, PUBLIC_URL: 'https://id.example.com/' });
const renderer = new MailRenderer(config);
const mail = { username: 'Alice', token: 'a+b/c=d&e f', expiresAt: '2026-01-02T10:00:00Z' };

describe('MailRenderer', () => {
  it('links a verification mail to /email/verify on PUBLIC_URL, token URL-encoded, in both parts', () => {
    const rendered = renderer.render({ ...mail, kind: 'email_verification' }, now);
    expect(rendered.link).toBe('https://id.example.com/email/verify?token=a%2Bb%2Fc%3Dd%26e%20f');
    expect(new URL(rendered.link).searchParams.get('token')).toBe(mail.token);
    expect(rendered.subject).toMatch(/verify/i);
    expect(rendered.text).toContain(rendered.link);
    expect(rendered.html).toContain(`href="${rendered.link}"`);
    expect(rendered.text).toContain('expires in 24 hours (Fri, 02 Jan 2026 10:00:00 GMT)');
  });

  it('links a reset mail to /password/reset', () => {
    const rendered = renderer.render({ ...mail, kind: 'password_reset', expiresAt: '2026-01-01T10:30:00Z' }, now);
    expect(rendered.link).toBe('https://id.example.com/password/reset?token=a%2Bb%2Fc%3Dd%26e%20f');
    expect(rendered.subject).toMatch(/reset/i);
    expect(rendered.text).toContain('expires in 30 minutes');
  });

  it('escapes the username in HTML and keeps it as typed in text', () => {
    const username = `<img src=x onerror="alert('x')">&`;
    const rendered = renderer.render({ ...mail, username, kind: 'email_verification' }, now);
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
    expect(rendered.text).toContain(`Hello ${username},`);
  });

  it("defaults links to the gateway's own URL", () => {
    const local = new MailRenderer(Object.assign(new MailConfig(), { GATEWAY_PORT: 4100 }));
    expect(local.render({ ...mail, kind: 'email_verification' }, now).link).toMatch(/^http:\/\/127\.0\.0\.1:4100\/email\/verify\?token=/);
  });
});

describe('expiryInWords', () => {
  it.each([
    [30_000, 'in 1 minute'],
    [90 * 60_000, 'in 90 minutes'],
    [5 * 3_600_000, 'in 5 hours'],
    [72 * 3_600_000, 'in 3 days'],
  ])('says %i ms as "%s"', (ms, words) => {
    expect(expiryInWords(new Date(now.getTime() + ms), now)).toContain(words);
  });

  it('says when a link has already expired', () => {
    expect(expiryInWords(new Date(now.getTime() - 1), now)).toMatch(/^The link expired at /);
  });
});

it('escapeHtml escapes the five special characters', () => {
  expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
});
