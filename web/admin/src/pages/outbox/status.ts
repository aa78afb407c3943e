export const statusLabels: Record<string, { label: string; tone: string }> = {
  queued: { label: 'Queued', tone: '' },
  sending: { label: 'Sending', tone: '' },
  sent: { label: 'Sent', tone: 'good' },
  /** no SMTP_URL: the message stays in the outbox */
  stored: { label: 'Kept here', tone: '' },
  failed: { label: 'Failed', tone: 'bad' },
};
