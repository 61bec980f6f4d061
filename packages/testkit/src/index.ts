export * from './s3-server.js';
export * from './net.js';
export * from './tls-fixture.js';
