import { Injectable } from '@nestjs/common';
import type { MailKind, SendMailDto } from '#contracts/mail';
import { MailConfig } from '../mail.config.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The link the mail carries, with its token. */
  link: string;
}

interface Wording {
  subject: string;
  path: string;
  intro: string;
  action: string;
  ignore: string;
}

/** What each kind says and where its link leads (the gateway's routes). */
const WORDING: Record<MailKind, Wording> = {
  email_verification: {
    subject: 'Verify your email address',
    path: '/email/verify',
    intro: 'Please confirm that this is your email address for your Gatehouse account.',
    action: 'Verify my email',
    ignore: 'If you did not ask for this, you can ignore this mail.',
  },
  password_reset: {
    subject: 'Reset your password',
    path: '/password/reset',
    intro: 'Someone asked to reset the password of your Gatehouse account.',
    action: 'Choose a new password',
    ignore: 'If it was not you, ignore this mail: your password stays as it is.',
  },
};

/** Renders each kind of mail in plain text and HTML. Pure: the time is passed in. */
@Injectable()
export class MailRenderer {
  constructor(private readonly config: MailConfig) {}

  render(mail: Pick<SendMailDto, 'kind' | 'username' | 'token' | 'expiresAt'>, now = new Date()): RenderedMail {
    const wording = WORDING[mail.kind];
    const link = `${this.config.publicUrl}${wording.path}?token=${encodeURIComponent(mail.token)}`;
    const expiry = expiryInWords(new Date(mail.expiresAt), now);
    const text = [`Hello ${mail.username},`, '', wording.intro, `${wording.action}: ${link}`, '', expiry, wording.ignore].join('\n');
    const html = [
      `<p>Hello ${escapeHtml(mail.username)},</p>`,
      `<p>${escapeHtml(wording.intro)}</p>`,
      `<p><a href="${escapeHtml(link)}">${escapeHtml(wording.action)}</a></p>`,
      `<p>${escapeHtml(expiry)}</p>`,
      `<p>${escapeHtml(wording.ignore)}</p>`,
    ].join('\n');
    return { subject: wording.subject, text, html, link };
  }
}

/** "The link expires in 30 minutes (Mon, 01 Dec 2025 10:30:00 GMT)." */
export function expiryInWords(expiresAt: Date, now: Date): string {
  const when = expiresAt.toUTCString();
  const ms = expiresAt.getTime() - now.getTime();
  if (ms <= 0) return `The link expired at ${when}.`;
  return `The link expires in ${duration(ms)} (${when}).`;
}

function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.round(hours / 24), 'day');
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}
