-- One row per event that needs an email. The unique event id is the dedupe key; a send is claimed
-- with a lease (claim_token, claimed_until) so two instances never send the same email at once.
CREATE TABLE notifications.notifications (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  type text NOT NULL,
  recipient text NOT NULL,
  subject text NOT NULL,
  status text NOT NULL DEFAULT 'PENDING',
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  message_id text NOT NULL,
  claim_token uuid,
  claimed_until timestamptz,
  sent_at timestamptz,
  -- Millisecond precision, so the admin list's cursor (a JS Date) matches rows exactly.
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT notifications_event_id_key UNIQUE (event_id),
  CONSTRAINT notifications_status_check CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
  CONSTRAINT notifications_sent_check CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
);

-- The admin list pages newest first, optionally by status.
CREATE INDEX notifications_created_idx ON notifications.notifications (created_at DESC, id DESC);
CREATE INDEX notifications_status_created_idx ON notifications.notifications (status, created_at DESC, id DESC);
