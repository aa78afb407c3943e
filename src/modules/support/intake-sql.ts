// The hot statements of intake, one round trip each. Under load a round trip, not the work in
// it, is what a message costs (bench/support.ts: about 3 ms per statement at load 10), so the
// dup check, the loop count and every threading rule are one query, and a message is written
// with its conversation in one statement. Named: PostgreSQL plans each once per connection.
import type { ExecuteSql } from '../../db/client.js';
import type { ConversationStatus } from './schema.js';

/**
 * Same-sender intake is serialised by a transaction-level advisory lock on the sender's
 * address (the two-int form: its own key space, apart from the app's bigint locks). Without
 * it a reply whose lookup runs while its parent is still uncommitted on another connection
 * misses it and opens a second conversation. Different senders never wait for each other.
 * A batch takes the locks of all its senders in one statement, in key order: two batches that
 * share senders wait for each other in one direction only, never in a cycle (PostgreSQL ≥ 9.6
 * evaluates a volatile function of the select list after the ORDER BY).
 */
export async function lockSenders(exec: ExecuteSql, addresses: string[]): Promise<void> {
  await exec(
    `select pg_advisory_xact_lock(7201, k) as locked
       from (select distinct hashtext(a) as k from jsonb_array_elements_text($1::jsonb) a) keys
      order by k`,
    [JSON.stringify(addresses)],
    { name: 'support.intake-lock-many' },
  );
}

export interface ThreadCandidate {
  id: string;
  number: number;
  status: ConversationStatus;
  subject: string;
  closedAt: Date | null;
  mergedInto: string | null;
  /** how it was found: 1 reply token, 2 In-Reply-To/References, 3 a reply of it already stored, 4 Thread-Index, 5 subject */
  rank: number;
}

export interface IntakeLookup {
  duplicate: { id: string; conversationId: string } | null;
  /** the sender's inbound messages in the last hour (a runaway autoresponder) */
  recent: number;
  thread: ThreadCandidate | null;
}

export interface LookupInput {
  messageId: string;
  contactId: string;
  /** '' when the message was not sent to a plus address of ours */
  token: string;
  /** In-Reply-To then References, newest first */
  refs: string[];
  threadIndex: string;
  /** '' when the subject fallback does not apply */
  subjectKey: string;
  subjectSince: Date;
  recentSince: Date;
}

/**
 * Every threading rule in order of trust, only among this contact's conversations (a message
 * never joins another customer's thread): the reply token; a message it answers
 * (In-Reply-To / References, the latest one); a message already stored that answers it (a
 * reply delivered before its parent); Outlook's Thread-Index; the subject as the bounded
 * fallback. The first found wins.
 *
 * The contact's conversations (or, for In-Reply-To / References, the few ids named) drive every
 * branch that reads messages (`lateral … offset 0` keeps the planner from turning the join around): a plan
 * made while the tables were small or not yet analysed — a prepared statement keeps its plan —
 * must not become a walk over every inbound message once the inbox has thousands (it did:
 * ~2 000 index scans per message in bench/support.ts, falling throughput round after round).
 * The duplicate check names only the Message-ID inside its fence, so the only index that can
 * answer it is one on message_id (unfenced, a stats-less plan once scanned the whole partial
 * inbound index and filtered on the id).
 */
/** exported for the test that reads its plan */
export const LOOKUP = `
with candidates as (
  select c.id, 1 as rank, 0::bigint as ord
    from support_conversations c
   where $3 <> '' and c.reply_token = $3 and c.contact_id = $2
  union all
  select m.conversation_id, 2, m.seq
    from jsonb_array_elements_text($4::jsonb) r(message_id)
   cross join lateral (
         select m.conversation_id, m.seq from support_messages m where m.message_id = r.message_id
         offset 0) m
    join support_conversations c on c.id = m.conversation_id
   where c.contact_id = $2
  union all
  select m.conversation_id, 3, m.seq
    from support_conversations c
   cross join lateral (
         select m.conversation_id, m.seq from support_messages m
          where m.conversation_id = c.id and m.direction = 'inbound'
            and (m.in_reply_to = $1 or m."references" @> jsonb_build_array($1::text))
         offset 0) m
   where c.contact_id = $2
  union all
  select m.conversation_id, 4, m.seq
    from support_messages m join support_conversations c on c.id = m.conversation_id
   where $5 <> '' and m.thread_index = $5 and c.contact_id = $2
  union all
  select c.id, 5, (extract(epoch from c.last_message_at) * 1000)::bigint
    from support_conversations c
   where $6 <> '' and c.contact_id = $2 and c.subject_key = $6 and c.last_message_at >= $7
     and c.merged_into is null and c.unverified = false
), best as (
  select id, rank from candidates order by rank, ord desc limit 1
)
select dup.id as dup_id, dup.conversation_id as dup_conversation_id,
       (select count(*)::int
          from support_conversations c
         cross join lateral (
               select 1 from support_messages m
                where m.conversation_id = c.id and m.direction = 'inbound' and m.created_at > $8
               offset 0) m
         where c.contact_id = $2) as recent,
       t.id, t.number, t.status, t.subject, t.closed_at, t.merged_into, best.rank
  from (select 1) one
  left join lateral (
        select id, conversation_id
          from (select id, conversation_id, direction from support_messages where message_id = $1 offset 0) same_id
         where direction = 'inbound') dup on true
  left join best on true
  left join support_conversations t on t.id = best.id`;

export async function lookupIntake(exec: ExecuteSql, q: LookupInput): Promise<IntakeLookup> {
  const { rows } = await exec<{
    dup_id: string | null;
    dup_conversation_id: string | null;
    recent: number;
    id: string | null;
    number: number | null;
    status: ConversationStatus | null;
    subject: string | null;
    closed_at: Date | string | null;
    merged_into: string | null;
    rank: number | null;
  }>(LOOKUP, [q.messageId, q.contactId, q.token, JSON.stringify(q.refs), q.threadIndex, q.subjectKey, q.subjectSince.toISOString(), q.recentSince.toISOString()], { name: 'support.intake-lookup' });
  const r = rows[0]!;
  return {
    duplicate: r.dup_id ? { id: r.dup_id, conversationId: r.dup_conversation_id! } : null,
    recent: Number(r.recent ?? 0),
    thread: r.id
      ? { id: r.id, number: Number(r.number), status: r.status!, subject: r.subject ?? '', closedAt: r.closed_at ? new Date(r.closed_at) : null, mergedInto: r.merged_into, rank: Number(r.rank) }
      : null,
  };
}

export interface InboundRow {
  id: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  threadIndex: string | null;
  fromAddress: string;
  fromName: string;
  toAddresses: string[];
  subject: string;
  text: string;
  html: string | null;
  auto: string | null;
  auth: Record<string, unknown>;
  via: string;
  createdAt: Date;
}

const MESSAGE_COLUMNS = `id, conversation_id, direction, message_id, in_reply_to, "references", thread_index, from_address, from_name, to_addresses, subject, text, html, auto, auth, via, author_kind, created_at`;
const messageValues = (m: InboundRow) => [m.id, m.messageId, m.inReplyTo, JSON.stringify(m.references), m.threadIndex, m.fromAddress, m.fromName, JSON.stringify(m.toAddresses), m.subject, m.text, m.html, m.auto, JSON.stringify(m.auth), m.via, m.createdAt.toISOString()];
// $1..$15 are the message; the conversation's values follow.
const MESSAGE_SELECT = `$1::uuid, c.id, 'inbound', $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::jsonb, $14, 'customer', $15::timestamptz`;

export interface NewConversationRow {
  contactId: string;
  email: string;
  name: string;
  subject: string;
  subjectKey: string;
  channel: string;
  status: ConversationStatus;
  assigneeId: string | null;
  replyToken: string;
  unverified: boolean;
  continuesId: string | null;
  /** null for an auto-reply or bulk mail: it waits nowhere */
  waitingSince: Date | null;
}

/** A new conversation and its first message, in one statement. */
export async function insertConversationWithMessage(exec: ExecuteSql, c: NewConversationRow, m: InboundRow): Promise<{ id: string; number: number }> {
  const now = m.createdAt.toISOString();
  const { rows } = await exec<{ id: string; number: number }>(
    `with c as (
       insert into support_conversations (contact_id, email, name, subject, subject_key, channel, status, assignee_id, reply_token, unverified, continues_id, message_count, last_message_at, waiting_since, first_inbound_at, created_at, updated_at)
       values ($16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, 1, $15::timestamptz, $27::timestamptz, $27::timestamptz, $15::timestamptz, $15::timestamptz)
       returning id, number
     ), m as (
       insert into support_messages (${MESSAGE_COLUMNS}) select ${MESSAGE_SELECT} from c
     )
     select id, number from c`,
    [...messageValues(m), c.contactId, c.email, c.name, c.subject, c.subjectKey, c.channel, c.status, c.assigneeId, c.replyToken, c.unverified, c.continuesId, c.waitingSince ? now : null],
    { name: 'support.intake-insert-conversation' },
  );
  return { id: rows[0]!.id, number: Number(rows[0]!.number) };
}

/**
 * A message added to a conversation found by threading, in one statement. `reopen`: a
 * customer wrote (not an auto-reply) to a conversation that was not open. `retitle`: the
 * conversation was opened by a reply that arrived before this, its parent, whose subject it takes.
 */
export async function appendMessage(exec: ExecuteSql, conversationId: string, m: InboundRow, o: { reopen: boolean; auto: boolean; retitle: { subject: string; key: string } | null }): Promise<void> {
  await exec(
    `with c as (
       update support_conversations
          set status = case when $17 then 'open' else status end,
              snoozed_until = case when $17 then null else snoozed_until end,
              closed_at = case when $17 then null else closed_at end,
              waiting_since = case when $18 then waiting_since else coalesce(waiting_since, $15::timestamptz) end,
              first_inbound_at = coalesce(first_inbound_at, case when $18 then null else $15::timestamptz end),
              sla_warned = case when $17 then '[]'::jsonb else sla_warned end,
              subject = coalesce($19, subject),
              subject_key = coalesce($20, subject_key),
              message_count = message_count + 1,
              last_message_at = $15::timestamptz,
              updated_at = $15::timestamptz
        where id = $16
        returning id
     )
     insert into support_messages (${MESSAGE_COLUMNS}) select ${MESSAGE_SELECT} from c`,
    [...messageValues(m), conversationId, o.reopen, o.auto, o.retitle?.subject ?? null, o.retitle?.key ?? null],
    { name: 'support.intake-append' },
  );
}
