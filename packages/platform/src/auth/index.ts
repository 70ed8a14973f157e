export * from './plugin.js';
export * from './tokens.js';
