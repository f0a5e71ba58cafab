// An SMTP server the tests run on loopback (smtp-server), keeping every message it is sent, parsed
// (mailparser): where email alerts land.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo: string | undefined;
  headers: Map<string, unknown>;
}

export interface SmtpCapture {
  url: string;
  mails: CapturedMail[];
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push({
          to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(", ") : mail.to?.text ?? "",
          subject: mail.subject ?? "",
          text: mail.text ?? "",
          messageId: mail.messageId ?? "",
          inReplyTo: mail.inReplyTo,
          headers: mail.headers,
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
