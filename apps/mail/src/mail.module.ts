import { Module, type DynamicModule } from '@nestjs/common';
import { microserviceModule } from '#common/service';
import { MailConfig } from './mail.config.js';
import { MailRenderer } from './mails/mail.renderer.js';
import { MailSender } from './mails/mail.sender.js';
import { MailsController } from './mails/mails.controller.js';
import { SMTP_TRANSPORT, smtpTransport } from './mails/smtp-transport.js';

@Module({})
export class MailModule {
  static forRoot(config: MailConfig): DynamicModule {
    return microserviceModule(MailModule, 'mail', config, {
      controllers: [MailsController],
      providers: [{ provide: SMTP_TRANSPORT, useFactory: () => smtpTransport(config) }, MailRenderer, MailSender],
    });
  }
}
