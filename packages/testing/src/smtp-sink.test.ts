import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpSink } from './smtp-sink.js';

describe('SMTP test sink', async () => {
  const sink = await createSmtpSink();
  const send = (subject: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: sink.port, secure: false, connectionTimeout: 1000 })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'hello', messageId: `<${subject}@test>` });
  afterAll(() => sink.close());

  it('when a message is sent, then it is kept parsed with its Message-ID', async () => {
    await send('first');
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({
      seq: 1,
      messageId: '<first@test>',
      from: 'a@example.com',
      to: ['b@example.com'],
      subject: 'first',
      text: 'hello\n',
    });
  });

  it('when it is stopped, then sends fail, and after start it accepts again on the same port', async () => {
    const port = sink.port;
    await sink.stop();
    await expect(send('while down')).rejects.toThrow(/ECONNREFUSED/);
    await sink.start();
    expect(sink.port).toBe(port);
    await send('after');
    expect(sink.byMessageId('<after@test>')).toHaveLength(1);
  });

  it('when told to fail, then it answers with that SMTP code and keeps nothing', async () => {
    sink.clear();
    sink.failWith(451);
    await expect(send('refused')).rejects.toMatchObject({ responseCode: 451 });
    sink.failWith(undefined);
    expect(sink.messages).toHaveLength(0);
  });
});
