import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/**
 * The pages the links in Gatehouse's mails open when PUBLIC_URL is the
 * gateway itself (the default): a button that posts the link's token to the
 * API. A product with its own front end points PUBLIC_URL there and does the
 * same. A GET never spends a token: mail scanners follow links.
 */
export const LINK_PAGE_PATHS = ['/email/verify', '/password/reset', '/account-links.js'];

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${title} · Gatehouse</title></head>
<body><main><h1>${title}</h1>${body}<p id="status" role="status"></p></main><script src="/account-links.js"></script></body></html>
`;

const VERIFY_PAGE = page(
  'Verify your email',
  '<p>Confirm that this address is yours.</p><button id="verify" type="button">Verify my email</button>',
);

const RESET_PAGE = page(
  'Choose a new password',
  '<p><label>New password <input id="password" type="password" autocomplete="new-password" minlength="8"></label></p>' +
    '<button id="reset" type="button">Set password</button><p>Every device signed in to your account will be signed out.</p>',
);

const SCRIPT = `'use strict';
const token = new URLSearchParams(location.search).get('token') || '';
history.replaceState(null, '', location.pathname); // keep the token out of history and bookmarks
const show = (text) => { document.getElementById('status').textContent = text; };
async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: res.ok, data: res.status === 204 ? {} : await res.json() };
}
const reason = (data) => data.code + ': ' + [].concat(data.message).join('; ');
document.getElementById('verify')?.addEventListener('click', async () => {
  const { ok, data } = await post('/email/verify', { token });
  show(ok ? 'Verified: ' + data.email + ' (' + data.emailVerifiedAt + ')' : 'Not verified. ' + reason(data));
});
document.getElementById('reset')?.addEventListener('click', async () => {
  const { ok, data } = await post('/password/reset', { token, password: document.getElementById('password').value });
  show(ok ? 'Your password is changed: sign in with it.' : 'Not changed. ' + reason(data));
});
`;

@ApiExcludeController()
@Controller()
export class LinkPagesController {
  @Get('email/verify')
  @Header('Content-Type', 'text/html; charset=utf-8')
  verifyPage(): string {
    return VERIFY_PAGE;
  }

  @Get('password/reset')
  @Header('Content-Type', 'text/html; charset=utf-8')
  resetPage(): string {
    return RESET_PAGE;
  }

  @Get('account-links.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return SCRIPT;
  }
}
