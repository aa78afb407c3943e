// Real header patterns of the mail clients customers write from, for tests and the bench:
// a Gmail reply, an Outlook reply (its own In-Reply-To, Thread-Index, "RE:"), an Apple Mail reply.
export interface Fixture {
  from: string;
  to?: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  threadIndex?: string;
  extraHeaders?: string[];
  text?: string;
  html?: string;
  date?: Date;
}

export function plainMessage(f: Fixture): string {
  const h = [
    `From: ${f.from}`,
    `To: ${f.to ?? 'Shop Support <support@shop.test>'}`,
    `Subject: ${f.subject}`,
    `Date: ${(f.date ?? new Date('2026-11-02T10:00:00Z')).toUTCString()}`,
    `Message-ID: ${f.messageId}`,
    ...(f.inReplyTo ? [`In-Reply-To: ${f.inReplyTo}`] : []),
    ...(f.references?.length ? [`References: ${f.references.join('\r\n ')}`] : []),
    ...(f.threadIndex ? [`Thread-Index: ${f.threadIndex}`] : []),
    ...(f.extraHeaders ?? []),
    'MIME-Version: 1.0',
  ];
  if (f.html) {
    const b = '000000000000a1b2c3d4e5f6';
    return [...h, `Content-Type: multipart/alternative; boundary="${b}"`, '', `--${b}`, 'Content-Type: text/plain; charset="UTF-8"', '', f.text ?? '', `--${b}`, 'Content-Type: text/html; charset="UTF-8"', '', f.html, `--${b}--`, ''].join('\r\n');
  }
  return [...h, 'Content-Type: text/plain; charset=UTF-8', '', f.text ?? 'Hello', ''].join('\r\n');
}

/** Gmail: multipart/alternative, CA…@mail.gmail.com ids, References carrying the whole chain. */
export function gmailReply(o: { from: string; to: string; subject: string; inReplyTo: string; references: string[]; n: number; text?: string }): string {
  return plainMessage({
    from: o.from,
    to: o.to,
    subject: o.subject.startsWith('Re:') ? o.subject : `Re: ${o.subject}`,
    messageId: `<CAGmail${o.n}xQ8v2Z+k@mail.gmail.com>`,
    inReplyTo: o.inReplyTo,
    references: [...o.references, o.inReplyTo],
    text: o.text ?? 'Thanks, it works now!\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, Shop Support <support@shop.test> wrote:\r\n> Try again now.',
    html: `<div dir="ltr">${o.text ?? 'Thanks, it works now!'}</div><br><div class="gmail_quote"><blockquote class="gmail_quote">Try again now.</blockquote></div>`,
    extraHeaders: ['X-Gm-Message-State: AOJu0Yx', 'X-Google-Smtp-Source: AGHT+IF'],
  });
}

/** Outlook: rewrites In-Reply-To to an id of its own store, drops our References, keeps Thread-Index, "RE:". */
export function outlookReply(o: { from: string; to: string; subject: string; threadIndex: string; n: number }): string {
  return plainMessage({
    from: o.from,
    to: o.to,
    subject: `RE: ${o.subject}`,
    messageId: `<DB9PR0${o.n}MB7890ABCD@DB9PR04MB7890.eurprd04.prod.outlook.com>`,
    inReplyTo: `<AM0PR0${o.n}MB1234EFGH@AM0PR04MB1234.eurprd04.prod.outlook.com>`,
    threadIndex: o.threadIndex,
    extraHeaders: ['Thread-Topic: ' + o.subject, 'X-MS-Has-Attach: ', 'X-MS-TNEF-Correlator: ', 'Content-Language: en-US'],
    text: 'Hi, still does not work for me.',
  });
}

/** A Thread-Index: 22 header bytes, and 5 more per reply. */
export function threadIndex(seed: number, replies = 0): string {
  const b = Buffer.alloc(22 + 5 * replies);
  for (let i = 0; i < b.length; i++) b[i] = (seed * 31 + i * 7) & 0xff;
  return b.toString('base64');
}

/** Apple Mail: Apple-Mail boundary, Mime-Version with the client build, uppercase UUID ids. */
export function appleReply(o: { from: string; to: string; subject: string; inReplyTo: string; references: string[]; n: number }): string {
  const b = `Apple-Mail=_8F1C2D3E-4B5A-6978-${String(o.n).padStart(4, '0')}-ABCDEF012345`;
  return [
    `From: ${o.from}`,
    `Content-Type: multipart/alternative; boundary="${b}"`,
    'Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3731.500.231\\))',
    `Subject: Re: ${o.subject}`,
    `Date: ${new Date('2026-11-03T09:00:00Z').toUTCString()}`,
    `References: ${[...o.references, o.inReplyTo].join(' ')}`,
    `To: ${o.to}`,
    `In-Reply-To: ${o.inReplyTo}`,
    `Message-Id: <6A1B2C3D-${String(o.n).padStart(4, '0')}-4E5F-8A9B-0C1D2E3F4A5B@icloud.com>`,
    'X-Mailer: Apple Mail (2.3731.500.231)',
    '',
    `--${b}`,
    'Content-Transfer-Encoding: 7bit',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'One more question about the invoice.',
    `--${b}`,
    'Content-Transfer-Encoding: 7bit',
    'Content-Type: text/html; charset=us-ascii',
    '',
    '<html><head><meta http-equiv="content-type" content="text/html; charset=us-ascii"></head><body style="overflow-wrap: break-word;">One more question about the invoice.</body></html>',
    `--${b}--`,
    '',
  ].join('\r\n');
}
