export * from './clock.js';
export * from './database.js';
export * from './environment.js';
export * from './infrastructure.js';
export * from './logger.js';
export * from './tcp-proxy.js';
export * from './tokens.js';
export * from './smtp-sink.js';
