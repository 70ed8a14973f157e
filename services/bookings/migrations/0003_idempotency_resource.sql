-- The id a keyed request creates its resource under (the booking id of a create). It is drawn
-- with the record and kept when a retry takes over a claim whose lease ran out, so a request
-- re-run after a crash finds what the first run made instead of making it twice. A new record
-- (first use, or after the key expired) draws a new one.
ALTER TABLE bookings.idempotency_keys ADD COLUMN resource_id uuid;
