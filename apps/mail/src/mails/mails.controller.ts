import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CallDeadline, Deadline } from '#common/overload';
import { MailPatterns, SendMailDto, type MailSent } from '#contracts/mail';
import { MailMessage } from '../mail.handlers.js';
import { MailSender } from './mail.sender.js';

@Controller()
export class MailsController {
  constructor(private readonly sender: MailSender) {}

  /** Replies only once the SMTP server has accepted the mail; never starts one it cannot finish before the deadline. */
  @MailMessage(MailPatterns.Send)
  send(@Payload() mail: SendMailDto, @CallDeadline() deadline: Deadline): Promise<MailSent> {
    return this.sender.send(mail, deadline);
  }

  @MailMessage(MailPatterns.Health)
  health(): Promise<{ smtp: 'up' }> {
    return this.sender.health();
  }
}
