// A local SMTP sink in its own process for the broadcast benchmark: accepts everything,
// counts messages and distinct Message-IDs, answers {count, unique} when asked over IPC.
import { SMTPServer } from 'smtp-server';

let count = 0;
const ids = new Set<string>();
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 100,
  onData(stream, _session, cb) {
    let head = '';
    stream.on('data', (c: Buffer) => {
      if (head.length < 4096) head += c.toString('latin1');
    });
    stream.on('end', () => {
      count++;
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
      if (id) ids.add(id);
      cb();
    });
  },
});
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as { port: number }).port });
});
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'count') process.send!({ count, unique: ids.size });
  if (m.cmd === 'reset') {
    count = 0;
    ids.clear();
    process.send!({ ok: true });
  }
});
