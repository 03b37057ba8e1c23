/** The shared transport: every service node imports from here and from nowhere else below it. */
export * from './http';
export * from './token';
export * from './limiter';
export * from './errors';
export * from './redact';
export * from './items';
export * from './pagination';
export * from './api';
export * from './redis';
export * from './descriptions';
export * from './credentials';
export * from './pem';
