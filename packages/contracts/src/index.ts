export * from './common.js';
export * from './errors.js';
export * from './events.js';
export * from './holds.js';
export * from './bookings.js';
export * from './auth.js';
export * from './notifications.js';
export * from './flights.js';
