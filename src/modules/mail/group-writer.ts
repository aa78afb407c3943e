// Group commit for outcomes that arrive one at a time (a server's 250 for each message): one
// write runs at a time, and whatever arrives while it runs goes into the next one. The time
// between "it happened" and "the database knows" stays a write or two, whatever the rate, and
// a busy second makes larger writes rather than more of them. The broadcast engine's recipient
// marks and the send-batch jobs' message outcomes each have one writer per process.

export class GroupWriter<T> {
  private pending: { item: T; done: () => void; fail: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  /** Resolves once the write that carries `item` has committed; rejects with that write's error. */
  add(item: T): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ item, done, fail });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing || !this.pending.length) return;
    const batch = this.pending.splice(0, this.pending.length);
    this.writing = true;
    this.write(batch.map((b) => b.item))
      .then(
        () => batch.forEach((b) => b.done()),
        (err: unknown) => batch.forEach((b) => b.fail(err)),
      )
      .finally(() => {
        this.writing = false;
        this.kick();
      });
  }
}
