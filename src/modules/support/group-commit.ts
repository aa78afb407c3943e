// Group commit for intake: messages that arrive together (several SMTP connections, concurrent
// provider webhooks) are handed to one `run` call, which stores them in one transaction, so a
// burst pays one begin, one commit (one fsync) and one event insert for many messages instead of
// one each. A lone message is not held back: a batch starts on the next turn of the event loop
// (plus `lingerMs` when set) whenever fewer than `maxInFlight` batches are running, and what
// arrives while they run waits for the next one. Each submitter's promise settles only with the
// outcome `run` reports for its own item, after that batch's commit (or its failure).

export interface GroupCommitOptions {
  /** the most items one batch takes */
  maxItems: number;
  /** how long the first item of a batch waits for company (0: the next event-loop turn only) */
  lingerMs: number;
  /** batches running at once (PGlite: 1, it has one connection; PostgreSQL: a few, < the pool) */
  maxInFlight: number;
}

export class GroupCommitter<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** batches run and items they took, since start (the benchmark prints the mean batch size) */
  readonly stats = { batches: 0, items: 0 };

  /** `run` answers one settled outcome per item, in order; it must not throw (a throw fails the whole batch). */
  constructor(
    private readonly run: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    public options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options.lingerMs > 0 && this.queue.length < this.options.maxItems) setTimeout(go, this.options.lingerMs);
    else setImmediate(go);
  }

  private flush(): void {
    if (this.inFlight >= this.options.maxInFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, Math.max(1, this.options.maxItems));
    this.inFlight++;
    this.stats.batches++;
    this.stats.items += batch.length;
    void this.run(batch.map((b) => b.item))
      .then(
        (outcomes) => batch.forEach((b, i) => {
          const o = outcomes[i];
          if (!o) b.reject(new Error('group commit: no outcome for an item'));
          else if (o.status === 'fulfilled') b.resolve(o.value);
          else b.reject(o.reason);
        }),
        (err) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
    // More waiting than one batch takes, and room for another batch: start it too.
    this.schedule();
  }
}
