-- bookings schema
SELECT 1;
