/** The shared transport: every service node imports from here and from nowhere else below it. */
export * from './http';
export * from './token';
export * from './limiter';
export * from './errors';
export * from './redact';
export * from './card-data';
export * from './items';
export { withOptionCheck } from './option-values';
export * from './pagination';
export * from './api';
// Where tokens and account limits live (memory, or n8n's Redis in queue mode); the Redis modules stay behind it.
export * from './shared-state';
export * from './descriptions';
export * from './credentials';
export * from './pem';
export * from './validate';
export * from './tool';
