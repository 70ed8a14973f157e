-- Reference data, flights, per-cabin seat counters and seat holds.
-- Airport codes are `text` everywhere (never char(n)): a char column compared with a text
-- parameter defeats the search index.

CREATE TABLE flights.cities (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  country_code text NOT NULL CHECK (country_code ~ '^[A-Z]{2}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cities_name_country_key UNIQUE (name, country_code)
);

CREATE TABLE flights.airports (
  id uuid PRIMARY KEY,
  code text NOT NULL CHECK (code ~ '^[A-Z]{3}$'),
  name text NOT NULL,
  city_id uuid NOT NULL REFERENCES flights.cities (id),
  time_zone text NOT NULL,
  latitude double precision,
  longitude double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT airports_code_key UNIQUE (code)
);
CREATE INDEX airports_city_idx ON flights.airports (city_id);

CREATE TABLE flights.airplanes (
  id uuid PRIMARY KEY,
  model text NOT NULL,
  registration text NOT NULL,
  -- The seat map as the API shows it (cabins with rows, letters, aisles, exits, blocked seats).
  cabins jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT airplanes_registration_key UNIQUE (registration)
);

CREATE TABLE flights.flights (
  id uuid PRIMARY KEY,
  flight_number text NOT NULL,
  airplane_id uuid NOT NULL REFERENCES flights.airplanes (id),
  origin text NOT NULL REFERENCES flights.airports (code),
  destination text NOT NULL REFERENCES flights.airports (code),
  departure_at timestamptz NOT NULL,
  arrival_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (origin <> destination),
  CHECK (arrival_at > departure_at),
  CONSTRAINT flights_number_departure_key UNIQUE (flight_number, departure_at)
);
-- Search: route + departure range. Connections probe the second leg with the same index.
CREATE INDEX flights_route_departure_idx ON flights.flights (origin, destination, departure_at);
-- First legs of connections: every flight leaving an airport in a time window.
CREATE INDEX flights_origin_departure_idx ON flights.flights (origin, departure_at);
CREATE INDEX flights_airplane_idx ON flights.flights (airplane_id, departure_at);
CREATE INDEX flights_departure_idx ON flights.flights (departure_at, id);

-- One counter per flight and cabin: the only row a hold touches for counting.
CREATE TABLE flights.inventory (
  flight_id uuid NOT NULL REFERENCES flights.flights (id) ON DELETE CASCADE,
  cabin text NOT NULL CHECK (cabin IN ('economy', 'premium_economy', 'business', 'first')),
  capacity integer NOT NULL CHECK (capacity >= 0),
  available integer NOT NULL,
  fare_amount integer NOT NULL CHECK (fare_amount >= 0),
  PRIMARY KEY (flight_id, cabin),
  CONSTRAINT inventory_available_nonnegative CHECK (available >= 0),
  CONSTRAINT inventory_available_within_capacity CHECK (available <= capacity)
);

-- A hold is keyed by the booking id that bookings generated. A release that arrives before its
-- hold leaves a RELEASED row without segments (cabin and passengers null), so a late hold for
-- that booking cannot take seats any more.
CREATE TABLE flights.holds (
  booking_id uuid PRIMARY KEY,
  cabin text,
  passengers integer CHECK (passengers BETWEEN 1 AND 9),
  status text NOT NULL CHECK (status IN ('HELD', 'SOLD', 'RELEASED')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  sold_at timestamptz,
  released_at timestamptz,
  release_reason text
);
CREATE INDEX holds_due_idx ON flights.holds (expires_at) WHERE status = 'HELD';

CREATE TABLE flights.hold_segments (
  booking_id uuid NOT NULL REFERENCES flights.holds (booking_id),
  flight_id uuid NOT NULL REFERENCES flights.flights (id),
  position integer NOT NULL,
  cabin text NOT NULL,
  seat_count integer NOT NULL CHECK (seat_count BETWEEN 1 AND 9),
  fare_amount integer NOT NULL,
  currency text NOT NULL,
  PRIMARY KEY (booking_id, flight_id)
);
CREATE INDEX hold_segments_flight_idx ON flights.hold_segments (flight_id);

-- Seats are never copied per flight: a seat is taken while an active row names it.
CREATE TABLE flights.hold_seats (
  booking_id uuid NOT NULL REFERENCES flights.holds (booking_id),
  flight_id uuid NOT NULL REFERENCES flights.flights (id),
  passenger integer NOT NULL CHECK (passenger BETWEEN 0 AND 8),
  seat text NOT NULL,
  cabin text NOT NULL,
  status text NOT NULL CHECK (status IN ('HELD', 'SOLD', 'RELEASED')),
  PRIMARY KEY (booking_id, flight_id, passenger)
);
CREATE UNIQUE INDEX hold_seats_one_owner_idx ON flights.hold_seats (flight_id, seat) WHERE status IN ('HELD', 'SOLD');
