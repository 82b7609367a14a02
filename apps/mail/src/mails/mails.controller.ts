import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MailPatterns, SendMailDto, type MailSent } from '#contracts';
import { MailMessage } from '../mail.handlers.js';
import { MailSender } from './mail.sender.js';

@Controller()
export class MailsController {
  constructor(private readonly sender: MailSender) {}

  /** Replies only once the SMTP server has accepted the mail. */
  @MailMessage(MailPatterns.Send)
  send(@Payload() mail: SendMailDto): Promise<MailSent> {
    return this.sender.send(mail);
  }

  @MailMessage(MailPatterns.Health)
  health(): Promise<{ smtp: 'up' }> {
    return this.sender.health();
  }
}
