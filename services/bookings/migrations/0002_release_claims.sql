-- Several sweepers share the owed releases: each claims a batch for a short lease instead of all
-- of them calling flights for the same bookings.
ALTER TABLE bookings.bookings ADD COLUMN release_claimed_until timestamptz;
