-- bookings schema: bookings, their segments (flight snapshots from the hold), payments, refunds,
-- idempotency records and the built-in test payment processor's ledger.
CREATE TABLE bookings.bookings (
  id uuid PRIMARY KEY,
  reference text NOT NULL,
  user_id text NOT NULL,
  contact_email text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'PAYING', 'CONFIRMED', 'EXPIRED', 'CANCELLED')),
  cabin text NOT NULL,
  passengers jsonb NOT NULL,
  total_amount bigint NOT NULL CHECK (total_amount >= 0),
  currency text NOT NULL,
  expires_at timestamptz NOT NULL,
  paying_until timestamptz,
  cancel_reason text,
  -- Seats go back to flights once: set while a release is owed, cleared when flights confirmed it.
  release_pending boolean NOT NULL DEFAULT false,
  seats_released_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT bookings_reference_key UNIQUE (reference),
  CHECK (status <> 'PAYING' OR paying_until IS NOT NULL)
);
CREATE INDEX bookings_user_idx ON bookings.bookings (user_id, created_at DESC, id DESC);
CREATE INDEX bookings_created_idx ON bookings.bookings (created_at DESC, id DESC);
CREATE INDEX bookings_due_idx ON bookings.bookings (expires_at) WHERE status = 'PENDING';
CREATE INDEX bookings_paying_idx ON bookings.bookings (paying_until) WHERE status = 'PAYING';
CREATE INDEX bookings_release_idx ON bookings.bookings (updated_at) WHERE release_pending;

CREATE TABLE bookings.booking_segments (
  booking_id uuid NOT NULL REFERENCES bookings.bookings (id) ON DELETE CASCADE,
  position integer NOT NULL,
  flight_id uuid NOT NULL,
  -- The flight as the hold described it (numbers, airports, UTC and local times, fare, seats).
  snapshot jsonb NOT NULL,
  PRIMARY KEY (booking_id, position)
);
CREATE INDEX booking_segments_flight_idx ON bookings.booking_segments (flight_id, booking_id);

CREATE TABLE bookings.payments (
  id uuid PRIMARY KEY,
  booking_id uuid NOT NULL REFERENCES bookings.bookings (id),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  status text NOT NULL CHECK (status IN ('PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
  brand text NOT NULL,
  last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  provider_reference text,
  failure_code text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- The last line against a second charge: at most one attempt in flight or paid per booking,
-- written before any money moves.
CREATE UNIQUE INDEX payments_one_live_attempt_idx ON bookings.payments (booking_id) WHERE status IN ('PROCESSING', 'SUCCEEDED');
CREATE INDEX payments_booking_idx ON bookings.payments (booking_id, created_at DESC);

CREATE TABLE bookings.refunds (
  id uuid PRIMARY KEY,
  payment_id uuid NOT NULL UNIQUE REFERENCES bookings.payments (id),
  booking_id uuid NOT NULL REFERENCES bookings.bookings (id),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED')),
  provider_reference text,
  created_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX refunds_pending_idx ON bookings.refunds (created_at) WHERE status = 'PENDING';

CREATE TABLE bookings.idempotency_keys (
  scope_hash text PRIMARY KEY,
  request_hash text NOT NULL,
  user_id text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  claim_token uuid NOT NULL,
  locked_until timestamptz,
  status_code integer,
  headers jsonb,
  body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_expiry_idx ON bookings.idempotency_keys (expires_at);

-- The built-in test processor keeps its ledger like an external one would: keyed by the
-- idempotency key we send, durable across our restarts. A real provider replaces it.
CREATE TABLE bookings.test_processor_charges (
  idempotency_key text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  amount bigint NOT NULL,
  currency text NOT NULL,
  brand text NOT NULL,
  last4 text NOT NULL,
  status text NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  failure_code text,
  refunded_amount bigint NOT NULL DEFAULT 0,
  refund_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  refunded_at timestamptz
);
