// The owner module as the app sees it (`app.owner`): the service's data methods plus the work
// that composes them — the weekly review, the daily check, the link check and the Monday email.
import { eq } from 'drizzle-orm';
import { getSetting, putSetting } from '../../db/secrets.js';
import { runDailyChecks } from './checks.js';
import { addDays, dayIn, hourIn, mondayOf, weekdayOf } from './dates.js';
import { runLinkCheck } from './health.js';
import { loadSeries } from './kpis.js';
import { composeReview, reviewMail, type WeeklyReview } from './review.js';
import { ownerReviewMails } from './schema.js';
import { isAway, OwnerService } from './service.js';
import type { OwnerDeps } from './types.js';

/** The Monday email goes out from this hour (owner's time zone). */
export const REVIEW_MAIL_HOUR = 7;

export class Owner extends OwnerService {
  constructor(private readonly d: OwnerDeps) {
    super(d);
  }

  review(): Promise<WeeklyReview> {
    return composeReview(this, this.d, (q) => loadSeries(this.d, q));
  }

  runDailyChecks(opts?: { replayDays?: number }) {
    return runDailyChecks(this, this.d, opts);
  }

  /** The daily check runs once per day of the owner's (the job fires hourly; a missed hour is caught up). */
  async dailyCheckIfDue(): Promise<boolean> {
    const today = dayIn(this.d.clock.now(), await this.timeZone());
    if ((await getSetting<string>(this.d.database.db, 'owner_last_check_day')) === today) return false;
    await this.runDailyChecks();
    await putSetting(this.d.database.db, 'owner_last_check_day', today, this.d.clock.now());
    return true;
  }

  checkLinks(opts?: Parameters<typeof runLinkCheck>[1]) {
    return runLinkCheck(this.d, opts);
  }

  /**
   * Sends this week's review email when it is due: Monday from 07:00 in the owner's time zone,
   * once a week (the week's row is written in the mail's transaction). While the owner is away
   * nothing is sent; the first run after they are back sends the week's review, whatever the day.
   */
  async sendReviewIfDue(): Promise<boolean> {
    const now = this.d.clock.now();
    const timeZone = await this.timeZone();
    const today = dayIn(now, timeZone);
    const settings = await this.getSettings();
    if (settings.away) return false;
    const week = mondayOf(today);
    const returned = !!settings.awayUntil && settings.awayUntil >= addDays(week, -7) && settings.awayUntil < today;
    // Monday from 07:00, or later in the week when Monday's run was missed.
    const due = weekdayOf(today) > 0 || hourIn(now, timeZone) >= REVIEW_MAIL_HOUR;
    if (!due && !returned) return false;
    const [sent] = await this.d.database.db.select().from(ownerReviewMails).where(eq(ownerReviewMails.week, week));
    if (sent) return false;
    const owners = (await this.d.staff()).filter((u) => u.role === 'owner');
    if (!owners.length) return false;
    const review = await this.review();
    const mail = reviewMail(review, this.d.settings.publicUrl);
    return this.d.database.transaction(async (tx) => {
      const [row] = await tx.insert(ownerReviewMails).values({ week, sentAt: now }).onConflictDoNothing().returning();
      if (!row) return false;
      for (const o of owners) await this.d.sources.mail.queueTransactionalInTx(tx, { to: o.email, subject: mail.subject, text: mail.text, html: mail.html, tag: 'owner-review' });
      await this.d.events.recordInTx(tx, { type: 'owner.review_sent', actor: { kind: 'system' }, subject: { type: 'owner_review', id: week }, data: { week, decisions: review.decisions.length } });
      return true;
    });
  }
}

export { isAway };
