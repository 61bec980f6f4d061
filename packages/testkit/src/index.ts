export * from './s3-server.js';
export * from './net.js';
